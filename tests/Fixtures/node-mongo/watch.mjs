// Test-only: watches a MongoDB change stream through the official Node.js driver (the npm `mongodb`
// package) and prints every event as one line of relaxed Extended JSON, like `MongoWire client watch`.
// A second, independent client for the MongoWire test server, so the server is not shaped around one
// driver's leniency.
//
//   node watch.mjs --uri URI --db D [--collection C] [--pipeline '[…]'] [--full-document MODE]
//                  [--resume-after TOKEN | --start-after TOKEN | --start-at-operation-time T]
//                  [--max-events N] [--timeout-ms N] [--max-await-ms N] [--batch-size N] [--print-tokens]
//
// TOKEN is Extended JSON ({"_data": "…"}); T is "SECONDS:INCREMENT" or {"$timestamp": {"t": …, "i": …}}.
// Prints "watching" on stderr once the stream is open; --print-tokens adds {"resumeToken": …} lines after
// each batch. Exit codes: 0 done (max events, timeout or invalidate); 3 server error, printed on stdout as
// "error CODE CODENAME"; 2 usage; 1 anything else.
import { parseArgs } from 'node:util';
import mongodb from 'mongodb';

// The driver is CommonJS: take its exports from the default import.
const { BSON, MongoClient, MongoServerError } = mongodb;
const { EJSON, Timestamp } = BSON;

function usage(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      uri: { type: 'string' },
      db: { type: 'string' },
      collection: { type: 'string' },
      pipeline: { type: 'string' },
      'full-document': { type: 'string' },
      'resume-after': { type: 'string' },
      'start-after': { type: 'string' },
      'start-at-operation-time': { type: 'string' },
      'max-events': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'max-await-ms': { type: 'string' },
      'batch-size': { type: 'string' },
      'print-tokens': { type: 'boolean' },
    },
  }));
} catch (error) {
  usage(error.message);
}

if (!values.uri || !values.db) usage('--uri and --db are required');

const parseJson = (text) => EJSON.parse(text, { relaxed: false });
const parseTimestamp = (text) => {
  if (text.trim().startsWith('{')) return parseJson(`{"v": ${text}}`).v;
  const [t, i] = text.split(':').map(Number);
  if (!Number.isInteger(t) || !Number.isInteger(i)) usage(`bad timestamp '${text}'`);
  return new Timestamp({ t, i });
};
const integer = (name) => {
  if (values[name] === undefined) return undefined;
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0) usage(`--${name} needs a non-negative integer`);
  return n;
};

const options = {};
if (values['full-document']) options.fullDocument = values['full-document'];
if (values['resume-after']) options.resumeAfter = parseJson(values['resume-after']);
if (values['start-after']) options.startAfter = parseJson(values['start-after']);
if (values['start-at-operation-time']) options.startAtOperationTime = parseTimestamp(values['start-at-operation-time']);
if (values['max-await-ms'] !== undefined) options.maxAwaitTimeMS = integer('max-await-ms');
if (values['batch-size'] !== undefined) options.batchSize = integer('batch-size');
const pipeline = values.pipeline ? parseJson(values.pipeline) : [];
const maxEvents = integer('max-events') ?? Number.POSITIVE_INFINITY;
const deadline = values['timeout-ms'] !== undefined ? Date.now() + integer('timeout-ms') : Number.POSITIVE_INFINITY;

const print = (document) => process.stdout.write(`${EJSON.stringify(document, { relaxed: true })}\n`);

const client = new MongoClient(values.uri, { serverSelectionTimeoutMS: 5000, connectTimeoutMS: 5000 });
let exitCode = 0;
try {
  await client.connect();
  const db = client.db(values.db);
  const target = values.collection ? db.collection(values.collection) : db;
  const stream = target.watch(pipeline, options);
  let seen = 0;
  let announced = false;
  while (seen < maxEvents && Date.now() < deadline && !stream.closed) {
    // tryNext: the next event, or null after a getMore that came back empty (the stream is lazy: the
    // first call sends the aggregate).
    const change = await stream.tryNext();
    if (!announced) {
      process.stderr.write('watching\n');
      announced = true;
    }
    if (change) {
      print(change);
      seen += 1;
      if (change.operationType === 'invalidate') break;
    }
    if (values['print-tokens'] && (!change || stream.resumeToken)) print({ resumeToken: stream.resumeToken ?? null });
  }
  await stream.close();
} catch (error) {
  if (error instanceof MongoServerError) {
    process.stdout.write(`error ${error.code} ${error.codeName}\n`);
    process.stderr.write(`${error.message}\n`);
    exitCode = 3;
  } else {
    process.stderr.write(`${error.name}: ${error.message}\n`);
    exitCode = 1;
  }
} finally {
  await client.close();
}
process.exit(exitCode);
