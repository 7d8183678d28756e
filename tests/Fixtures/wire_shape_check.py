#!/usr/bin/env python3
"""Checks requests our hand-written AWS clients send against the botocore service models.

moto accepts almost anything; real AWS does not. Real CloudFront validates REST-XML bodies against an ordered
schema (XSD sequence = member order in the botocore model), and Query-protocol services (ElastiCache,
CloudWatch) reject parameter names they do not model. The botocore models installed here are the referee.

Usage:
  wire_shape_check.py cloudfront-xml OPERATION FILE   one CloudFront request body (FILE '-' = stdin)
  wire_shape_check.py query SERVICE FILE              one Query-protocol form body (service: elasticache, cloudwatch)
  wire_shape_check.py aws-log FILE                    a ECOM_AWS_REQUEST_LOG file (one JSON object a line); with the
                                                      logged signing region it also checks the partition: host (unless a
                                                      local stand-in), signing region and every ARN in the body
  wire_shape_check.py cloudfront-log FILE             a ECOM_CLOUDFRONT_REQUEST_LOG file ("### METHOD URI" + body)

Prints "OK <service> <operation>" per valid request and "ERROR <service> <operation>: <path>: <problem>" per
problem; exits 1 when any problem was found, 2 on bad usage or unreadable input. stdlib + botocore only.
"""
import json
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET

import botocore.session

_SESSION = botocore.session.get_session()
_MODELS = {}

# Names in the signature/log → botocore service names.
SERVICE_ALIASES = {'monitoring': 'cloudwatch', 'cloudwatch': 'cloudwatch', 'elasticache': 'elasticache', 'cloudfront': 'cloudfront'}


def model(service):
    name = SERVICE_ALIASES.get(service.lower(), service.lower())
    if name not in _MODELS:
        _MODELS[name] = _SESSION.get_service_model(name)
    return _MODELS[name]


def check_scalar(shape, text, path, problems):
    """Type, enum and length checks of one scalar value (as text on the wire)."""
    t = shape.type_name
    if t == 'boolean':
        if text not in ('true', 'false'):
            problems.append(f'{path}: boolean must be true or false, got {text!r}')
    elif t in ('integer', 'long'):
        if not re.fullmatch(r'-?\d+', text or ''):
            problems.append(f'{path}: {t} expected, got {text!r}')
    elif t in ('double', 'float'):
        try:
            float(text)
        except (TypeError, ValueError):
            problems.append(f'{path}: {t} expected, got {text!r}')
    elif t == 'string':
        if shape.enum and text not in shape.enum:
            problems.append(f'{path}: {text!r} is not one of {shape.enum}')
        lo, hi = shape.metadata.get('min'), shape.metadata.get('max')
        if lo is not None and len(text) < lo:
            problems.append(f'{path}: shorter than the minimum length {lo}')
        if hi is not None and len(text) > hi:
            problems.append(f'{path}: longer than the maximum length {hi}')
        pattern = _pattern(shape.metadata.get('pattern'))
        if pattern is not None and not pattern.fullmatch(text):
            problems.append(f'{path}: {text!r} does not match the pattern {shape.metadata["pattern"]}')


_PATTERNS = {}


def _pattern(source):
    """A model pattern as a Python regex (whole value): Java's \\p{L}/\\p{N}/\\p{Z} approximated by \\w/\\d/\\s."""
    if not source:
        return None
    if source not in _PATTERNS:
        translated = source.replace(r'\p{L}', r'\w').replace(r'\p{N}', r'\d').replace(r'\p{Z}', r'\s')
        try:
            _PATTERNS[source] = re.compile(translated)
        except re.error:
            _PATTERNS[source] = None  # a construct Python cannot express: not checked
    return _PATTERNS[source]


# ----------------------------------------------------------------------------------------------- REST-XML

def _local(tag):
    return tag.split('}', 1)[1] if tag.startswith('{') else tag


def _ns(tag):
    return tag[1:].split('}', 1)[0] if tag.startswith('{') else ''


def _xml_name(member_name, shape):
    return shape.serialization.get('name', member_name)


def check_xml_value(shape, element, path, namespace, problems):
    """Validates one element's content against a shape; `namespace` is the namespace children must use."""
    t = shape.type_name
    children = list(element)
    if t == 'structure':
        if (element.text or '').strip():
            problems.append(f'{path}: structure has text content {element.text.strip()!r}')
        members = list(shape.members.items())
        by_name = {}
        for index, (name, member) in enumerate(members):
            if member.serialization.get('location'):  # uri/header/querystring members are not body elements
                continue
            if member.type_name == 'list' and member.serialization.get('flattened'):
                by_name[member.member.serialization.get('name', name)] = (index, name, member)
            else:
                by_name[_xml_name(name, member)] = (index, name, member)
        last_index, last_name, seen = -1, None, {}
        flattened_items = {}
        for child in children:
            local = _local(child.tag)
            cpath = f'{path}/{local}'
            if _ns(child.tag) != namespace:
                problems.append(f'{cpath}: namespace {_ns(child.tag)!r}, expected {namespace!r}')
            if local not in by_name:
                problems.append(f'{cpath}: unknown element (members of {shape.name}: {", ".join(by_name)})')
                continue
            index, name, member = by_name[local]
            flattened = member.type_name == 'list' and member.serialization.get('flattened')
            if index < last_index or (index == last_index and not flattened):
                problems.append(f'{cpath}: out of order or repeated (after {last_name}; {shape.name} order: {", ".join(by_name)})')
            last_index, last_name = max(index, last_index), local
            seen[name] = seen.get(name, 0) + 1
            if flattened:
                flattened_items.setdefault(name, []).append(child)
                check_xml_value(member.member, child, cpath, namespace, problems)
            else:
                check_xml_value(member, child, cpath, namespace, problems)
        for required in shape.required_members:
            if required not in seen and not shape.members[required].serialization.get('location'):
                problems.append(f'{path}: required member {required} missing')
        # CloudFront's list wrappers: Quantity must count Items (real CloudFront answers InconsistentQuantities).
        if 'Quantity' in shape.members and 'Items' in shape.members:
            quantity = next((c for c in children if _local(c.tag) == 'Quantity'), None)
            items = next((c for c in children if _local(c.tag) == 'Items'), None)
            count = len(list(items)) if items is not None else 0
            if quantity is not None and re.fullmatch(r'\d+', (quantity.text or '').strip()) and int(quantity.text) != count:
                problems.append(f'{path}: Quantity {quantity.text} but {count} Items')
    elif t == 'list':
        if (element.text or '').strip():
            problems.append(f'{path}: list has text content {element.text.strip()!r}')
        item_name = shape.member.serialization.get('name', 'member')
        for i, child in enumerate(children, 1):
            cpath = f'{path}/{_local(child.tag)}[{i}]'
            if _local(child.tag) != item_name:
                problems.append(f'{cpath}: list item must be <{item_name}>')
            if _ns(child.tag) != namespace:
                problems.append(f'{cpath}: namespace {_ns(child.tag)!r}, expected {namespace!r}')
            check_xml_value(shape.member, child, cpath, namespace, problems)
        lo, hi = shape.metadata.get('min'), shape.metadata.get('max')
        if lo is not None and len(children) < lo:
            problems.append(f'{path}: fewer than {lo} items')
        if hi is not None and len(children) > hi:
            problems.append(f'{path}: more than {hi} items')
    elif t == 'map':
        key_name = shape.key.serialization.get('name', 'key')
        value_name = shape.value.serialization.get('name', 'value')
        for i, entry in enumerate(children, 1):
            epath = f'{path}/entry[{i}]'
            if _local(entry.tag) != 'entry':
                problems.append(f'{epath}: map entry must be <entry>')
            names = [_local(c.tag) for c in entry]
            if names != [key_name, value_name]:
                problems.append(f'{epath}: expected <{key_name}> then <{value_name}>, got {names}')
            for c in entry:
                if _local(c.tag) == key_name:
                    check_xml_value(shape.key, c, f'{epath}/{key_name}', namespace, problems)
                elif _local(c.tag) == value_name:
                    check_xml_value(shape.value, c, f'{epath}/{value_name}', namespace, problems)
    else:
        if children:
            problems.append(f'{path}: scalar {shape.name} has child elements')
        else:
            check_scalar(shape, element.text or '', path, problems)


def check_rest_xml_body(operation_name, body, problems, service='cloudfront'):
    """Validates a REST-XML request body (the operation's payload member) against the model."""
    op = model(service).operation_model(operation_name)
    shape = op.input_shape
    payload = shape.serialization.get('payload') if shape is not None else None
    if not payload:
        if body and body.strip():
            problems.append(f'{operation_name}: the operation takes no body, got one')
        return
    member = shape.members[payload]
    if not body or not body.strip():
        if payload in shape.required_members:
            problems.append(f'{operation_name}: required body <{_xml_name(payload, member)}> missing')
        return
    try:
        root = ET.fromstring(body.encode('utf-8') if isinstance(body, str) else body)
    except ET.ParseError as ex:
        problems.append(f'{operation_name}: body is not well-formed XML ({ex})')
        return
    expected_name = _xml_name(payload, member)
    namespace = (member.serialization.get('xmlNamespace') or {}).get('uri', '')
    if _local(root.tag) != expected_name:
        problems.append(f'/{_local(root.tag)}: root element must be <{expected_name}>')
    if _ns(root.tag) != namespace:
        problems.append(f'/{_local(root.tag)}: namespace {_ns(root.tag)!r}, expected {namespace!r}')
    check_xml_value(member, root, '/' + _local(root.tag), namespace, problems)


def match_rest_operation(service, method, uri):
    """The operation a REST request (method + URI) calls: the matching requestUri with the most query keys."""
    parsed = urllib.parse.urlsplit(uri)
    query_keys = {k for k, _ in urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)} | \
        {part for part in parsed.query.split('&') if part and '=' not in part}
    m = model(service)
    best = None
    for name in m.operation_names:
        http = m.operation_model(name).http
        if http.get('method', '').upper() != method.upper():
            continue
        template, _, template_query = http['requestUri'].partition('?')
        pattern = '^' + ''.join('.+' if part.endswith('+}') else '[^/]+' if part.startswith('{') else re.escape(part)
                                for part in re.split(r'(\{[^}]+\})', template)) + '$'
        if not re.match(pattern, parsed.path):
            continue
        needed = {q.split('=')[0] for q in template_query.split('&') if q}
        if not needed <= query_keys:
            continue
        if best is None or len(needed) > best[0]:
            best = (len(needed), name)
    return best[1] if best else None


def check_rest_request(service, method, uri, body, headers, problems):
    operation = match_rest_operation(service, method, uri)
    if operation is None:
        problems.append(f'{method} {uri}: matches no {service} operation')
        return None
    shape = model(service).operation_model(operation).input_shape
    if shape is not None and headers is not None:
        lowered = {k.lower() for k in headers}
        for name in shape.required_members:
            member = shape.members[name]
            if member.serialization.get('location') == 'header' and member.serialization['name'].lower() not in lowered:
                problems.append(f'{operation}: required header {member.serialization["name"]} missing')
    check_rest_xml_body(operation, body, problems, service)
    return operation


# ----------------------------------------------------------------------------------------------- Query

# Values the models type as plain strings but document as a closed list (AWS refuses others; stand-ins may not).
DOCUMENTED_VALUES = {
    ('elasticache', 'CreateCacheCluster', 'Engine'): {'memcached', 'redis'},       # "memcached | redis"
    ('elasticache', 'CreateReplicationGroup', 'Engine'): {'valkey', 'redis'},      # "must be set to valkey or redis"
}


def check_query_body(service, body, problems, expected_action=None):
    """Validates an AWS Query form body (Action=..&Version=..&...) against the operation's input shape."""
    m = model(service)
    pairs = urllib.parse.parse_qsl(body or '', keep_blank_values=True, strict_parsing=False)
    fields = {}
    for key, value in pairs:
        if key in fields:
            problems.append(f'{key}: sent twice')
        fields[key] = value
    action = fields.pop('Action', None)
    version = fields.pop('Version', None)
    if action is None:
        problems.append('Action missing')
        return None
    if expected_action and action != expected_action:
        problems.append(f'Action {action!r}, expected {expected_action!r}')
    if action not in m.operation_names:
        problems.append(f'Action {action!r} is not a {m.service_name} operation')
        return action
    if version != m.api_version:
        problems.append(f'Version {version!r}, expected {m.api_version!r}')
    shape = m.operation_model(action).input_shape
    if shape is None:
        for key in fields:
            problems.append(f'{key}: {action} takes no parameters')
        return action
    # Walk every key through the model; remember which structures were seen (for their required members)
    # and which list indexes were used (1..N without gaps).
    structures, indexes = {}, {}
    for key, value in fields.items():
        _walk_query(shape, key.split('.'), '', value, key, problems, structures, indexes)
        allowed = DOCUMENTED_VALUES.get((m.service_name, action, key))
        if allowed is not None and value not in allowed:
            problems.append(f'{key}: {value!r} is not one of the documented values {sorted(allowed)}')
    structures.setdefault('', shape)
    for prefix, struct in structures.items():
        present = {k[len(prefix) + 1 if prefix else 0:].split('.')[0] for k in fields if k == prefix or k.startswith(prefix + '.' if prefix else '')}
        for required in struct.required_members:
            wire = struct.members[required].serialization.get('name', required)
            if wire not in present:
                problems.append(f'{prefix or action}: required member {required} missing')
    for prefix, (list_shape, used) in indexes.items():
        if sorted(used) != list(range(1, len(used) + 1)):
            problems.append(f'{prefix}: list indexes must run 1..N without gaps, got {sorted(used)}')
        lo, hi = list_shape.metadata.get('min'), list_shape.metadata.get('max')
        if lo is not None and len(used) < lo:
            problems.append(f'{prefix}: fewer than {lo} items')
        if hi is not None and len(used) > hi:
            problems.append(f'{prefix}: {len(used)} items, the model allows at most {hi}')
    return action


def _walk_query(shape, tokens, prefix, value, key, problems, structures, indexes):
    t = shape.type_name
    if t == 'structure':
        structures.setdefault(prefix, shape)
        if not tokens:
            problems.append(f'{key}: {shape.name} is a structure; send its members, not a value')
            return
        wire_names = {}
        for name, member in shape.members.items():
            if member.type_name == 'list' and member.serialization.get('flattened') and member.member.serialization.get('name'):
                wire_names[member.member.serialization['name']] = member  # flattened: the member's own name
            else:
                wire_names[member.serialization.get('name', name)] = member
        head = tokens[0]
        if head not in wire_names:
            problems.append(f'{key}: unknown parameter {head!r} in {shape.name} (known: {", ".join(wire_names)})')
            return
        _walk_query(wire_names[head], tokens[1:], f'{prefix}.{head}' if prefix else head, value, key, problems, structures, indexes)
    elif t == 'list':
        if not tokens:
            if value != '':
                problems.append(f'{key}: list {shape.name} needs indexed members, got a plain value')
            return
        if shape.serialization.get('flattened'):
            index_token, rest, item_prefix = tokens[0], tokens[1:], prefix
        else:
            item = shape.member.serialization.get('name', 'member')
            if tokens[0] != item:
                problems.append(f'{key}: list {shape.name} items are {prefix}.{item}.N, got {prefix}.{tokens[0]}')
                return
            if len(tokens) < 2:
                problems.append(f'{key}: list item without an index')
                return
            index_token, rest, item_prefix = tokens[1], tokens[2:], f'{prefix}.{item}'
        if not re.fullmatch(r'[1-9]\d*', index_token):
            problems.append(f'{key}: list index must be 1, 2, ..., got {index_token!r}')
            return
        indexes.setdefault(item_prefix, (shape, set()))[1].add(int(index_token))
        _walk_query(shape.member, rest, f'{item_prefix}.{index_token}', value, key, problems, structures, indexes)
    elif t == 'map':
        key_name = shape.key.serialization.get('name', 'key')
        value_name = shape.value.serialization.get('name', 'value')
        if shape.serialization.get('flattened'):
            entry_tokens, entry_prefix = tokens, prefix
        else:
            if not tokens or tokens[0] != 'entry':
                problems.append(f'{key}: map {shape.name} entries are {prefix}.entry.N.{key_name}/{value_name}')
                return
            entry_tokens, entry_prefix = tokens[1:], f'{prefix}.entry'
        if len(entry_tokens) < 2 or not re.fullmatch(r'[1-9]\d*', entry_tokens[0]) or entry_tokens[1] not in (key_name, value_name):
            problems.append(f'{key}: map {shape.name} entries are {entry_prefix}.N.{key_name} and {entry_prefix}.N.{value_name}')
            return
        indexes.setdefault(entry_prefix, (shape, set()))[1].add(int(entry_tokens[0]))
        target = shape.key if entry_tokens[1] == key_name else shape.value
        _walk_query(target, entry_tokens[2:], f'{entry_prefix}.{entry_tokens[0]}.{entry_tokens[1]}', value, key, problems, structures, indexes)
    else:
        if tokens:
            problems.append(f'{key}: {shape.name} is a {t}; {".".join(tokens)!r} goes nowhere')
            return
        check_scalar(shape, value, key, problems)


# ----------------------------------------------------------------------------------------------- partitions

_LOOPBACK = {'127.0.0.1', 'localhost', '::1', '[::1]'}
_ARN = re.compile(r'arn:([a-z0-9-]+):[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:')


def _resolver():
    return _SESSION._get_internal_component('endpoint_resolver')


def check_endpoint(service, entry, problems):
    """Host, signing region and ARNs of one logged request against botocore's partition and endpoint data.

    The signing region's partition must offer the service; a global service (CloudFront) must be signed for its
    credential scope region; a request not sent to a local stand-in must go to botocore's hostname; every ARN in the
    body must be of the signing region's partition (arn:aws-cn: in China, arn:aws-us-gov: in GovCloud).
    """
    region = entry.get('signingRegion')
    if not region:
        return
    partition = _SESSION.get_partition_for_region(region)
    data = next((p for p in _resolver()._endpoint_data['partitions'] if p['partition'] == partition), None)
    prefix = model(service).metadata.get('endpointPrefix', service)
    if data is None or prefix not in data['services']:
        problems.append(f'signing region {region}: {prefix} is not available in the {partition} partition')
        return
    endpoint = _resolver().construct_endpoint(prefix, region) or {}
    scope = (endpoint.get('credentialScope') or {}).get('region')
    if scope and scope != region:
        problems.append(f'signed for {region}, but {prefix} in {partition} is signed for {scope}')
    host = urllib.parse.urlsplit(entry.get('uri') or '').hostname or ''
    if host and host not in _LOOPBACK and endpoint.get('hostname') and host != endpoint['hostname']:
        problems.append(f'host {host}, but {prefix} in {region} ({partition}) is {endpoint["hostname"]}')
    body = urllib.parse.unquote_plus(entry.get('body') or '')
    for arn_partition in sorted(set(_ARN.findall(body))):
        if arn_partition != partition:
            problems.append(f'an ARN of partition {arn_partition} in a request signed for {region} ({partition})')


# ----------------------------------------------------------------------------------------------- logs

def check_log_entry(entry):
    """Checks one request of ECOM_AWS_REQUEST_LOG; returns (service, operation, problems)."""
    service = SERVICE_ALIASES.get(entry.get('service', '').lower(), entry.get('service', ''))
    problems = []
    try:
        protocol = model(service).metadata.get('protocols') or [model(service).metadata.get('protocol')]
    except Exception as ex:  # unknown service name
        return service, '?', [f'unknown service {service!r} ({ex})']
    body = entry.get('body') or ''
    if 'query' in protocol and (body.startswith('Action=') or entry.get('action')):
        operation = check_query_body(service, body, problems, entry.get('action'))
    elif 'rest-xml' in protocol:
        operation = check_rest_request(service, entry.get('method', ''), entry.get('uri', ''), body, entry.get('headers'), problems)
    else:
        operation = entry.get('action') or '?'
        problems.append(f'protocol {protocol} not checked by this script')
    check_endpoint(service, entry, problems)
    return service, operation or '?', problems


def read_aws_log(path):
    with open(path, encoding='utf-8') as f:
        # Transport events (retries, clock-skew corrections) share the file; only requests are checked.
        return [e for e in (json.loads(line) for line in f if line.strip()) if 'event' not in e]


def read_cloudfront_log(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    entries = []
    for block in re.split(r'(?m)^### ', text):
        if not block.strip():
            continue
        first, _, body = block.partition('\n')
        method, _, uri = first.strip().partition(' ')
        entries.append({'service': 'cloudfront', 'method': method, 'uri': uri, 'body': body.rstrip('\n')})
    return entries


def report(results):
    failed = 0
    for service, operation, problems in results:
        if problems:
            failed += 1
            for p in problems:
                print(f'ERROR {service} {operation}: {p}')
        else:
            print(f'OK {service} {operation}')
    print(f'{len(results)} request(s) checked, {failed} with problems')
    return 1 if failed else 0


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    mode = argv[1]

    def read(path):
        return sys.stdin.read() if path == '-' else open(path, encoding='utf-8').read()

    try:
        if mode == 'cloudfront-xml' and len(argv) == 4:
            problems = []
            check_rest_xml_body(argv[2], read(argv[3]), problems)
            return report([('cloudfront', argv[2], problems)])
        if mode == 'query' and len(argv) == 4:
            problems = []
            action = check_query_body(argv[2], read(argv[3]).strip(), problems)
            return report([(argv[2], action or '?', problems)])
        if mode == 'aws-log' and len(argv) == 3:
            return report([check_log_entry(e) for e in read_aws_log(argv[2])])
        if mode == 'cloudfront-log' and len(argv) == 3:
            return report([check_log_entry(e) for e in read_cloudfront_log(argv[2])])
    except (OSError, ValueError) as ex:
        print(f'cannot read input: {ex}', file=sys.stderr)
        return 2
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
