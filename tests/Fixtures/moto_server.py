"""moto server (python3 tests/Fixtures/moto_server.py -H HOST -p PORT) with DynamoDB ImportTable made to read its
source as AWS does. Test stand-in only; README "Stand-ins vs real AWS" lists what it changes.

moto 5.2.1 reads DYNAMODB_JSON with py_partiql_parser's JsonParser, which knows no JSON escapes and takes ' as a
quote: "L'Oreal" is imported as "L" and "x\"y" as "x\\" without counting an error, so an import of real shop data
silently corrupts items. AWS reads newline-delimited JSON (one {"Item": {...}} per line). This wrapper changes only
the import:
- each line is parsed with json.loads; a line that does not parse counts one error and the rest of that object is
  skipped ("If the Amazon S3 object itself is malformed ... we may skip processing the remaining portion of the
  object", "Import format quotas and validation"); an item DynamoDB refuses counts one error;
- ProcessedSizeBytes counts the bytes of the lines read (moto counts 1 per item);
- TableCreationParameters.SSESpecification is honoured (moto drops it);
- fault injection for tests: an item holding the string value "ecommerceaws-test-import-error" counts one error and is
  not imported, as an item DynamoDB refuses would be (the only way to make an import end with errors on purpose).
- ClientToken makes the call idempotent as on AWS (moto ignores it): the same token answers the import it started.
"""
import json
import sys
import threading

from moto.core.responses import ActionResult
from moto.core.utils import gzip_decompress
from moto.dynamodb import responses as dynamodb_responses
from moto.dynamodb.models import table_import

FAULT = b'"ecommerceaws-test-import-error"'
_request = threading.local()
_original_handler = dynamodb_responses.DynamoHandler.import_table
_original_init = table_import.TableImport.__init__


_tokens = {}


def _import_table(self):
    token = self.body.get("ClientToken")
    imports = self.dynamodb_backend.table_imports
    if token and _tokens.get(token) in imports:
        return ActionResult({"ImportTableDescription": imports[_tokens[token]].response()})
    _request.sse = (self.body.get("TableCreationParameters") or {}).get("SSESpecification")
    try:
        result = _original_handler(self)
    finally:
        _request.sse = None
    if token and imports:
        _tokens[token] = list(imports)[-1]
    return result


def _init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    self.sse_specification = getattr(_request, "sse", None)


def _process_s3_files(self, s3_backend, bucket):
    from moto.dynamodb.models import dynamodb_backends

    dynamo = dynamodb_backends[self.account_id][self.region_name]
    self.table = dynamo.create_table(
        name=self.table_name,
        billing_mode=self.billing_mode,
        throughput=self.throughput,
        schema=self.key_schema,
        global_indexes=self.global_indexes,
        indexes=None,
        attr=self.attrs,
        sse_specification=dict(self.sse_specification) if self.sse_specification else None,
        streams=None,
        tags=[],
        deletion_protection_enabled=False,
        warm_throughput=None,
    )
    keys, _, _, _ = s3_backend.list_objects(
        bucket, prefix=self.s3_source.get("S3KeyPrefix"), delimiter=None, marker=None, max_keys=None
    )
    for key in keys:
        raw = gzip_decompress(key.value) if self.compression_type == "GZIP" else key.value
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            self.processed_count += 1
            self.processed_bytes += len(line) + 1
            try:
                item = json.loads(line)["Item"]
            except (ValueError, KeyError, TypeError) as error:
                self.error_count += 1
                self.failure_message = f"{key.name}: {error}"
                break
            if FAULT in line:
                self.error_count += 1
                self.failure_message = f"{key.name}: test fault injection"
                continue
            try:
                self.table.put_item(item_attrs=item)
                self.imported_count += 1
            except Exception as error:  # moto's own validation errors
                self.error_count += 1
                self.failure_message = str(error)
    self.status = "COMPLETED" if self.error_count == 0 else "FAILED"


dynamodb_responses.DynamoHandler.import_table = _import_table
table_import.TableImport.__init__ = _init
table_import.TableImport._process_s3_files = _process_s3_files

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
