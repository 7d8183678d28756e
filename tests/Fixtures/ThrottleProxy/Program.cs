// ThrottleProxy --port P --target http://127.0.0.1:MOTO [--throttle 0.25] [--unprocessed 0.25] [--delay-ms 0] [--answer-writes] [--answer-uploads] [--reject-pk REGEX] [--fail-operation OP]
// Forwards every request to the target. Of the BatchWriteItem calls, a share is answered with HTTP 400
// ProvisionedThroughputExceededException (nothing written) and a share is forwarded with only its first half of
// items, the rest returned as UnprocessedItems. --delay-ms adds latency to every request (benchmarks).
// --answer-writes (benchmarks): BatchWriteItem and PutItem are answered as successes by the proxy itself after the
// delay, without reaching the target, to model a service whose only cost is the network latency.
// --reject-pk REGEX: a BatchWriteItem or PutItem holding an item whose PK (S) matches is answered HTTP 400 ValidationException
// (nothing written, as DynamoDB refuses a whole batch), to stand in for an item the service refuses although it passed our rules.
//
// Scripted answers (tests of retries, clock skew, redirects and error handling over real sockets):
// POST /__rules with a JSON array replaces the rules; GET /__requests lists every request seen since the last
// POST /__rules ({method, path, op, amzDate, rule}). A rule:
//   {"match":"UpdateContinuousBackups", "times":3, "skip":0, "forward":false, "status":400,
//    "body":"...", "contentType":"application/x-amz-json-1.0", "headers":{"Date":"+7200", "Location":"..."}}
// match is an operation name (X-Amz-Target suffix or the Query protocol's Action) or "METHOD /path-regex" for
// REST APIs (CloudFront). skip lets that many matching requests through first; times is how often the rule
// answers; forward sends the request to the target first (its side effect happens) and then answers as the rule
// says. A Date header given as "+N"/"-N" is the proxy's clock shifted by N seconds (clock-skew tests).
// --fail-operation UpdateItem (tests): every DynamoDB call of that operation is answered 400 ProvisionedThroughputExceededException.
// --answer-uploads (benchmarks): S3 object PUTs (PUT /bucket/key) and DynamoDB UpdateItem are answered the same way.
// Counters: GET /__stats → {"batchWriteCalls":n,"throttled":n,"partial":n,"refused":n,"requests":{"PUT":n,"GET":n,…,"DynamoDB.UpdateItem":n,…}}
// (requests: every forwarded or answered request, by HTTP method and, for JSON APIs, by X-Amz-Target operation).
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

var arguments = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--")).ToDictionary(p => p.a, p => p.i + 1 < args.Length ? args[p.i + 1] : "");
int port = int.Parse(arguments["--port"]);
string target = arguments["--target"].TrimEnd('/');
double throttleShare = double.Parse(arguments.GetValueOrDefault("--throttle", "0"), System.Globalization.CultureInfo.InvariantCulture);
double partialShare = double.Parse(arguments.GetValueOrDefault("--unprocessed", "0"), System.Globalization.CultureInfo.InvariantCulture);
int delayMs = int.Parse(arguments.GetValueOrDefault("--delay-ms", "0"));
bool answerWrites = arguments.ContainsKey("--answer-writes");
var rejectPk = arguments.TryGetValue("--reject-pk", out string pattern) && pattern.Length > 0 ? new System.Text.RegularExpressions.Regex(pattern) : null;
long calls = 0, throttled = 0, partial = 0, refused = 0;
// DynamoDB JSON spends two JSON levels per List/Map level: items nested 32 deep need more than the default 64.
var Deep = new System.Text.Json.JsonDocumentOptions { MaxDepth = 256 };
var rules = new List<Rule>();
var seen = new List<JsonObject>();
object rulesLock = new object();
bool answerUploads = arguments.ContainsKey("--answer-uploads");
string failOperation = arguments.GetValueOrDefault("--fail-operation");
var requests = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();

var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromMinutes(5) };
var listener = new HttpListener();
listener.Prefixes.Add($"http://127.0.0.1:{port}/");
listener.Start();
Console.WriteLine($"ThrottleProxy listening on {port} -> {target}");

while (true)
{
    HttpListenerContext context = await listener.GetContextAsync();
    _ = Task.Run(() => Handle(context));
}

async Task Handle(HttpListenerContext context)
{
    try
    {
        if (context.Request.Url.AbsolutePath == "/__stats")
        {
            string counted = System.Text.Json.JsonSerializer.Serialize(requests.ToDictionary(p => p.Key, p => p.Value));
            await Reply(context, 200, $"{{\"batchWriteCalls\":{Interlocked.Read(ref calls)},\"throttled\":{Interlocked.Read(ref throttled)},\"partial\":{Interlocked.Read(ref partial)},\"refused\":{Interlocked.Read(ref refused)},\"requests\":{counted}}}", "application/json");
            return;
        }
        byte[] body;
        using (var buffer = new MemoryStream()) { await context.Request.InputStream.CopyToAsync(buffer); body = buffer.ToArray(); }
        if (context.Request.Url.AbsolutePath == "/__rules" && context.Request.HttpMethod == "POST")
        {
            var parsed = JsonNode.Parse(Encoding.UTF8.GetString(body)).AsArray().Select(n => Rule.From(n.AsObject())).ToList();
            lock (rulesLock) { rules = parsed; seen.Clear(); }
            await Reply(context, 200, "{}", "application/json");
            return;
        }
        if (context.Request.Url.AbsolutePath == "/__requests")
        {
            string list;
            lock (rulesLock) list = new JsonArray(seen.Select(e => (JsonNode)e.DeepClone()).ToArray()).ToJsonString();
            await Reply(context, 200, list, "application/json");
            return;
        }
        if (delayMs > 0) await Task.Delay(delayMs);
        string amzTarget = context.Request.Headers["X-Amz-Target"] ?? "";
        requests.AddOrUpdate(context.Request.HttpMethod, 1, (_, n) => n + 1);
        if (amzTarget.Length > 0) requests.AddOrUpdate("DynamoDB." + amzTarget.Substring(amzTarget.LastIndexOf('.') + 1), 1, (_, n) => n + 1);
        string operation = OperationOf(context.Request, amzTarget, body);
        Rule rule = null;
        lock (rulesLock)
        {
            rule = rules.FirstOrDefault(r => r.Matches(context.Request.HttpMethod, context.Request.Url.AbsolutePath, operation) && r.Take());
            seen.Add(new JsonObject
            {
                ["method"] = context.Request.HttpMethod,
                ["path"] = context.Request.Url.PathAndQuery,
                ["op"] = operation,
                ["amzDate"] = context.Request.Headers["X-Amz-Date"],
                ["rule"] = rule == null ? null : rules.IndexOf(rule),
            });
        }
        if (rule != null)
        {
            if (rule.Forward) (await Forward(context, body)).Dispose();
            await Answer(context, rule);
            return;
        }
        JsonObject unprocessed = null;
        if (answerWrites && (amzTarget.EndsWith(".BatchWriteItem") || amzTarget.EndsWith(".PutItem")))
        {
            if (amzTarget.EndsWith(".BatchWriteItem")) Interlocked.Increment(ref calls);
            await Reply(context, 200, amzTarget.EndsWith(".BatchWriteItem") ? "{\"UnprocessedItems\":{}}" : "{}", "application/x-amz-json-1.0");
            return;
        }
        if (amzTarget.EndsWith(".BatchWriteItem")) Interlocked.Increment(ref calls);
        if (rejectPk != null && (amzTarget.EndsWith(".BatchWriteItem") || amzTarget.EndsWith(".PutItem")) && HoldsRejected(body))
        {
            Interlocked.Increment(ref refused);
            await Reply(context, 400, "{\"__type\":\"com.amazon.coral.validate#ValidationException\",\"message\":\"One or more parameter values were invalid: refused by ThrottleProxy --reject-pk\"}", "application/x-amz-json-1.0");
            return;
        }
        if (failOperation != null && amzTarget.EndsWith("." + failOperation))
        {
            await Reply(context, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"The level of configured provisioned throughput for the table was exceeded.\"}", "application/x-amz-json-1.0");
            return;
        }
        if (answerUploads && (amzTarget.EndsWith(".UpdateItem")
            || (amzTarget.Length == 0 && context.Request.HttpMethod == "PUT" && context.Request.Url.AbsolutePath.Trim('/').Contains('/') && context.Request.Url.Query.Length == 0)))
        {
            if (amzTarget.Length == 0) context.Response.Headers["ETag"] = "\"" + Convert.ToHexString(System.Security.Cryptography.MD5.HashData(body)).ToLowerInvariant() + "\"";
            await Reply(context, 200, amzTarget.Length == 0 ? "" : "{}", amzTarget.Length == 0 ? "application/xml" : "application/x-amz-json-1.0");
            return;
        }
        if (amzTarget.EndsWith(".BatchWriteItem"))
        {
            double roll = Random.Shared.NextDouble();
            if (roll < throttleShare)
            {
                Interlocked.Increment(ref throttled);
                await Reply(context, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"The level of configured provisioned throughput for the table was exceeded.\"}", "application/x-amz-json-1.0");
                return;
            }
            if (roll < throttleShare + partialShare)
            {
                var request = JsonNode.Parse(body, documentOptions: Deep).AsObject();
                var items = request["RequestItems"].AsObject();
                var kept = new JsonObject();
                unprocessed = new JsonObject();
                foreach (var (table, list) in items.ToList())
                {
                    var all = list.AsArray().Select(n => n.DeepClone()).ToList();
                    if (all.Count < 2) { kept[table] = new JsonArray(all.ToArray()); continue; }
                    int half = all.Count / 2;
                    kept[table] = new JsonArray(all.Take(half).ToArray());
                    unprocessed[table] = new JsonArray(all.Skip(half).ToArray());
                }
                if (unprocessed.Count > 0)
                {
                    Interlocked.Increment(ref partial);
                    request["RequestItems"] = kept;
                    body = Encoding.UTF8.GetBytes(request.ToJsonString());
                }
                else unprocessed = null;
            }
        }
        using HttpResponseMessage response = await Forward(context, body);
        byte[] answer = await response.Content.ReadAsByteArrayAsync();
        if (unprocessed != null && response.IsSuccessStatusCode)
        {
            var json = JsonNode.Parse(answer, documentOptions: Deep).AsObject();
            json["UnprocessedItems"] = unprocessed;
            answer = Encoding.UTF8.GetBytes(json.ToJsonString());
        }
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (header.Key is "Content-Length" or "Transfer-Encoding" or "Connection" or "x-amz-crc32" or "Server" or "Date") continue;
            if (header.Key == "Content-Type") { context.Response.ContentType = string.Join(",", header.Value); continue; }
            context.Response.Headers[header.Key] = string.Join(",", header.Value);
        }
        context.Response.ContentLength64 = answer.Length;
        await context.Response.OutputStream.WriteAsync(answer);
        context.Response.Close();
    }
    catch (Exception ex)
    {
        Console.Error.WriteLine(ex);
        try { context.Response.StatusCode = 502; context.Response.Close(); } catch { }
    }
}

bool HoldsRejected(byte[] body)
{
    var request = JsonNode.Parse(body, documentOptions: Deep).AsObject();
    IEnumerable<JsonNode> items = request["RequestItems"] is JsonObject tables
        ? tables.SelectMany(t => t.Value.AsArray()).Select(w => w?["PutRequest"]?["Item"])
        : new[] { request["Item"] };
    return items.Any(item => item?["PK"]?["S"]?.GetValue<string>() is string pk && rejectPk.IsMatch(pk));
}

async Task<HttpResponseMessage> Forward(HttpListenerContext context, byte[] body)
{
    var forward = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), target + context.Request.RawUrl);
    forward.Content = new ByteArrayContent(body);
    foreach (string name in context.Request.Headers.AllKeys)
    {
        if (name is "Host" or "Content-Length" or "Connection" or "Expect" or "Transfer-Encoding") continue;
        if (name == "Content-Type") { forward.Content.Headers.TryAddWithoutValidation(name, context.Request.Headers[name]); continue; }
        // Content-MD5, Content-Encoding (aws-chunked) and the like are content headers (S3 uploads need them).
        if (!forward.Headers.TryAddWithoutValidation(name, context.Request.Headers[name]))
            forward.Content.Headers.TryAddWithoutValidation(name, context.Request.Headers[name]);
    }
    return await http.SendAsync(forward);
}

static string OperationOf(HttpListenerRequest request, string amzTarget, byte[] body)
{
    if (amzTarget.Length > 0) return amzTarget.Substring(amzTarget.LastIndexOf('.') + 1);
    if ((request.ContentType ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        foreach (string pair in Encoding.UTF8.GetString(body).Split('&'))
            if (pair.StartsWith("Action=", StringComparison.Ordinal)) return Uri.UnescapeDataString(pair.Substring(7));
    return null;
}

static async Task Answer(HttpListenerContext context, Rule rule)
{
    byte[] bytes = Encoding.UTF8.GetBytes(rule.Body ?? "");
    context.Response.StatusCode = rule.Status;
    context.Response.ContentType = rule.ContentType;
    foreach (var (name, value) in rule.Headers)
    {
        string text = name == "Date" && (value.StartsWith('+') || value.StartsWith('-'))
            ? DateTime.UtcNow.AddSeconds(double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)).ToString("r", System.Globalization.CultureInfo.InvariantCulture)
            : value;
        if (name == "Location") context.Response.RedirectLocation = text;
        else context.Response.Headers[name] = text;
    }
    context.Response.ContentLength64 = bytes.Length;
    await context.Response.OutputStream.WriteAsync(bytes);
    context.Response.Close();
}

static async Task Reply(HttpListenerContext context, int status, string text, string type)
{
    byte[] bytes = Encoding.UTF8.GetBytes(text);
    context.Response.StatusCode = status;
    context.Response.ContentType = type;
    context.Response.ContentLength64 = bytes.Length;
    await context.Response.OutputStream.WriteAsync(bytes);
    context.Response.Close();
}

sealed class Rule
{
    public string Match { get; init; }
    public int Times { get; init; } = 1;
    public int Skip { get; init; }
    public bool Forward { get; init; }
    public int Status { get; init; } = 500;
    public string Body { get; init; }
    public string ContentType { get; init; } = "text/xml";
    public List<(string, string)> Headers { get; init; } = new();
    private int matched, answered;

    public static Rule From(JsonObject o) => new Rule
    {
        Match = (string)o["match"],
        Times = (int?)o["times"] ?? 1,
        Skip = (int?)o["skip"] ?? 0,
        Forward = (bool?)o["forward"] ?? false,
        Status = (int?)o["status"] ?? 500,
        Body = (string)o["body"],
        ContentType = (string)o["contentType"] ?? "text/xml",
        Headers = (o["headers"]?.AsObject() ?? new JsonObject()).Select(h => (h.Key, (string)h.Value)).ToList(),
    };

    public bool Matches(string method, string path, string operation)
    {
        int space = Match.IndexOf(' ');
        if (space < 0) return operation == Match;
        return method == Match.Substring(0, space) && System.Text.RegularExpressions.Regex.IsMatch(path, Match.Substring(space + 1));
    }

    /// <summary>Counts a matching request; true when this one gets the scripted answer.</summary>
    public bool Take()
    {
        if (matched++ < Skip) return false;
        if (answered >= Times) return false;
        answered++;
        return true;
    }
}
