'use strict';
// Starts cognito-local for the local cloud (see CognitoLocal.cs), as its own lib/bin/start.js does:
//   node cognito-local-launcher.js <cognito-local's lib/bin/start.js>
// with two differences: requests from web pages are refused (below), and its pretty log goes straight to
// process.stdout. Through the default destination the last lines (a sign-up's "Confirmation Code Delivery" among them)
// stayed unwritten until something else was logged, so a user waiting for the code saw nothing.
const { createRequire } = require('node:module');

const cognitoLocal = createRequire(process.argv[2]);
const pino = cognitoLocal('pino');
const pretty = cognitoLocal('pino-pretty');
const { createDefaultServer } = cognitoLocal('../server');

// Only the Cognito front calls the emulator's API, and it sends no Origin; a web page that found this port sends one
// with every POST (and the emulator would answer it with CORS *), so everything but reading the JWKS is refused to it.
// The emulator hands its express app to http.createServer, which reads the method from the module object.
const http = require('node:http');
const createServer = http.createServer;
http.createServer = (...args) => {
  const app = args.pop();
  return createServer(...args, (request, response) => {
    if (request.headers.origin && request.method !== 'GET') {
      response.writeHead(403, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-ErrorType': 'AccessDeniedException' });
      response.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'Call the local Cognito front, not the emulator.' }));
      return;
    }
    app(request, response);
  });
};

const logger = pino(
  { level: process.env.DEBUG ? 'debug' : 'info' },
  pretty({
    colorize: true,
    ignore: 'pid,name,hostname',
    singleLine: true,
    messageFormat: (log, messageKey) => `${log.reqId ?? 'NONE'} ${log.target ?? 'NONE'} ${log[messageKey]}`,
    destination: process.stdout,
  }),
);

createDefaultServer(logger)
  .then(server => server.start())
  .then(server => {
    const address = server.address();
    logger.info(`Cognito Local running on http://${address.address}:${address.port}`);
  })
  .catch(error => {
    logger.error(error);
    process.exit(1);
  });
