'use strict';
// Starts cognito-local for the local cloud (see CognitoLocal.cs), as its own lib/bin/start.js does:
//   node cognito-local-launcher.js <cognito-local's lib/bin/start.js>
// with one difference: its pretty log goes straight to process.stdout. Through the default destination the last lines
// (a sign-up's "Confirmation Code Delivery" among them) stayed unwritten until something else was logged, so a user
// waiting for the code saw nothing.
const { createRequire } = require('node:module');

const cognitoLocal = createRequire(process.argv[2]);
const pino = cognitoLocal('pino');
const pretty = cognitoLocal('pino-pretty');
const { createDefaultServer } = cognitoLocal('../server');

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
