'use strict';
// Starts s3rver for the local cloud (see S3Local.cs):
//   node s3rver-launcher.js <s3rver package folder> <data folder> <port, 0 = any free one>
// Listens on 127.0.0.1 only, prints "READY http://127.0.0.1:<port>" once it listens, and then one line per object
// event: "S3EVENT " + {"bucket","key","eventName","size","eTag","eventTime","sourceIp"} as JSON, with the key raw
// (not URL-encoded) and the event named as AWS names it. Needs NODE_OPTIONS=--openssl-legacy-provider.
// Where s3rver differs from S3 inside (any access key, requests from web pages, x-amz-copy-source decoding, multipart ETags, aborting a multipart
// upload, events of a Multi-Object Delete) it is patched here;
// differences on the wire are the S3 front's (S3Front.cs).
const crypto = require('crypto');
const fs = require('fs/promises');
const path = require('path');
const { AsyncLocalStorage } = require('async_hooks');

const [packageFolder, dataFolder, port] = process.argv.slice(2);
const S3rver = require(packageFolder);
const AWSAccount = require(path.join(packageFolder, 'lib', 'models', 'account'));
const S3Error = require(path.join(packageFolder, 'lib', 'models', 'error'));
const FilesystemStore = require(path.join(packageFolder, 'lib', 'stores', 'filesystem'));

// S3 answers any access key here: s3rver knows only its own dummy key and checks no SigV4 signature anyway.
AWSAccount.registry.get = () => AWSAccount.DUMMY_ACCOUNT;

// S3 gives an object made of parts the ETag md5(the parts' binary MD5s, concatenated)-<part count>; s3rver gives it the
// MD5 of the whole object.
const putObjectMultipart = FilesystemStore.prototype.putObjectMultipart;
FilesystemStore.prototype.putObjectMultipart = async function (bucket, uploadId, parts) {
  const uploadFolder = path.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  const key = await fs.readFile(path.join(uploadFolder, 'key'), 'utf8');
  const result = await putObjectMultipart.call(this, bucket, uploadId, parts);
  const partMd5s = [...parts].sort((a, b) => a.number - b.number).map(part => Buffer.from(part.etag, 'hex'));
  const md5 = `${crypto.createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${parts.length}`;
  await fs.writeFile(this.getResourcePath(bucket, key, 'object.md5'), md5);
  return { ...result, md5 };
};

const s3rver = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory: dataFolder,
  silent: true,
  vhostBuckets: false, // the S3 front addresses buckets path-style
  allowMismatchedSignatures: true,
});
s3rver.proxy = true; // the source IP of an event is the front's X-Forwarded-For

// s3rver emits an event while handling the request, before the answer is complete; the request it belongs to is
// found through the async context, and its events are written once the request is done (a copy's ETag is only
// known from the answer).
const requests = new AsyncLocalStorage();
s3rver.middleware.unshift(async (ctx, next) => {
  ctx.state.s3Events = [];
  // S3 URL-decodes x-amz-copy-source whole (SDKs encode the key's slashes as %2F); s3rver only applies decodeURI.
  const copySource = ctx.req.headers['x-amz-copy-source'];
  if (copySource) {
    try {
      ctx.req.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(copySource));
    } catch {
      // not URL-encoded: s3rver answers it as it is
    }
  }
  try {
    await requests.run(ctx, next);
  } finally {
    for (const record of ctx.state.s3Events) {
      write(ctx, record);
    }
  }
});
// S3 aborts a multipart upload (DELETE ?uploadId=: 204, its parts gone) and answers NoSuchUpload to any later use of its
// id; s3rver answers the abort 405, and would recreate (UploadPart) or half-read (CompleteMultipartUpload) a gone upload.
s3rver.middleware.unshift(async (ctx, next) => {
  const uploadId = ctx.query.uploadId;
  if (uploadId === undefined) return next();
  const bucket = decodeURIComponent(ctx.path.split('/')[1]);
  const folder = path.join(ctx.store.getResourcePath(bucket, undefined, 'uploads'), String(uploadId));
  const exists = /^[0-9a-f]+$/.test(uploadId) && await fs.stat(folder).then(() => true, () => false);
  if (!exists) {
    throw new S3Error('NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: String(uploadId) });
  }
  if (ctx.method !== 'DELETE') return next();
  await fs.rm(folder, { recursive: true, force: true });
  ctx.status = 204;
});
// Only the S3 front calls s3rver, and it sends no Origin: a web page that found this port sends one with every POST, PUT
// and DELETE (a form upload included, whose key field s3rver would take as a path), so those are refused first of all.
s3rver.middleware.unshift(async (ctx, next) => {
  if (ctx.get('origin')) throw new S3Error('AccessDenied', 'Access Denied');
  return next();
});
// S3 reports each object a Multi-Object Delete removes; s3rver reports none of them. s3rver also removes the folders a
// deletion empties, which fails (500, and the client retries) when a Multi-Object Delete removes sibling keys at once.
const deleteObject = FilesystemStore.prototype.deleteObject;
FilesystemStore.prototype.deleteObject = async function (bucket, key) {
  try {
    await deleteObject.call(this, bucket, key);
  } catch (error) {
    if (error.code !== 'ENOENT' && error.code !== 'ENOTEMPTY') throw error; // the object itself is gone by then
  }
  const ctx = requests.getStore();
  if (ctx && ctx.method === 'POST' && 'delete' in ctx.query) {
    ctx.state.s3Events.push({
      eventName: 'ObjectRemoved:Delete',
      eventTime: new Date().toISOString(),
      requestParameters: { sourceIPAddress: ctx.ip },
      s3: { bucket: { name: bucket }, object: { key } },
    });
  }
};
s3rver.on('event', event => {
  const ctx = requests.getStore();
  for (const record of event.Records) {
    ctx.state.s3Events.push(record);
  }
});

function write(ctx, record) {
  const object = record.s3.object;
  let eventName = record.eventName;
  // s3rver names the completion of a multipart upload like a browser form POST.
  if (eventName === 'ObjectCreated:Post' && 'uploadId' in ctx.query) {
    eventName = 'ObjectCreated:CompleteMultipartUpload';
  }
  // A copy's event carries no ETag: take it from the answer, by then XML (<ETag>&quot;hex&quot;</ETag>).
  const eTag = object.eTag ?? /<ETag>(?:&quot;|")?([^&"<]*)/.exec(String(ctx.body))?.[1];
  process.stdout.write('S3EVENT ' + JSON.stringify({
    bucket: record.s3.bucket.name,
    key: object.key,
    eventName,
    size: object.size ?? null,
    eTag: eTag === undefined ? null : String(eTag).replace(/"/g, ''),
    eventTime: record.eventTime,
    sourceIp: record.requestParameters.sourceIPAddress,
  }) + '\n');
}

s3rver.run().then(
  address => process.stdout.write(`READY http://127.0.0.1:${address.port}\n`),
  error => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  });

// The local cloud never writes to stdin; it closes when the local cloud is gone.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
