// ThrottleProxy --port P --target http://127.0.0.1:MOTO [--throttle 0.25] [--unprocessed 0.25] [--delay-ms 0] [--answer-writes] [--answer-uploads]
// Forwards every request to the target. Of the BatchWriteItem calls, a share is answered with HTTP 400
// ProvisionedThroughputExceededException (nothing written) and a share is forwarded with only its first half of
// items, the rest returned as UnprocessedItems. --delay-ms adds latency to every request (benchmarks).
// --answer-writes (benchmarks): BatchWriteItem and PutItem are answered as successes by the proxy itself after the
// delay, without reaching the target, to model a service whose only cost is the network latency.
// --fail-operation UpdateItem (tests): every DynamoDB call of that operation is answered 400 ProvisionedThroughputExceededException.
// --answer-uploads (benchmarks): S3 object PUTs (PUT /bucket/key) and DynamoDB UpdateItem are answered the same way.
// Counters: GET /__stats → {"batchWriteCalls":n,"throttled":n,"partial":n,"requests":{"PUT":n,"GET":n,…,"DynamoDB.UpdateItem":n,…}}
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
bool answerUploads = arguments.ContainsKey("--answer-uploads");
string failOperation = arguments.GetValueOrDefault("--fail-operation");
long calls = 0, throttled = 0, partial = 0;
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
            await Reply(context, 200, $"{{\"batchWriteCalls\":{Interlocked.Read(ref calls)},\"throttled\":{Interlocked.Read(ref throttled)},\"partial\":{Interlocked.Read(ref partial)},\"requests\":{counted}}}", "application/json");
            return;
        }
        byte[] body;
        using (var buffer = new MemoryStream()) { await context.Request.InputStream.CopyToAsync(buffer); body = buffer.ToArray(); }
        if (delayMs > 0) await Task.Delay(delayMs);
        string amzTarget = context.Request.Headers["X-Amz-Target"] ?? "";
        requests.AddOrUpdate(context.Request.HttpMethod, 1, (_, n) => n + 1);
        if (amzTarget.Length > 0) requests.AddOrUpdate("DynamoDB." + amzTarget.Substring(amzTarget.LastIndexOf('.') + 1), 1, (_, n) => n + 1);
        JsonObject unprocessed = null;
        if (answerWrites && (amzTarget.EndsWith(".BatchWriteItem") || amzTarget.EndsWith(".PutItem")))
        {
            if (amzTarget.EndsWith(".BatchWriteItem")) Interlocked.Increment(ref calls);
            await Reply(context, 200, amzTarget.EndsWith(".BatchWriteItem") ? "{\"UnprocessedItems\":{}}" : "{}", "application/x-amz-json-1.0");
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
            Interlocked.Increment(ref calls);
            double roll = Random.Shared.NextDouble();
            if (roll < throttleShare)
            {
                Interlocked.Increment(ref throttled);
                await Reply(context, 400, "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"The level of configured provisioned throughput for the table was exceeded.\"}", "application/x-amz-json-1.0");
                return;
            }
            if (roll < throttleShare + partialShare)
            {
                var request = JsonNode.Parse(body).AsObject();
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
        using HttpResponseMessage response = await http.SendAsync(forward);
        byte[] answer = await response.Content.ReadAsByteArrayAsync();
        if (unprocessed != null && response.IsSuccessStatusCode)
        {
            var json = JsonNode.Parse(answer).AsObject();
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

static async Task Reply(HttpListenerContext context, int status, string text, string type)
{
    byte[] bytes = Encoding.UTF8.GetBytes(text);
    context.Response.StatusCode = status;
    context.Response.ContentType = type;
    context.Response.ContentLength64 = bytes.Length;
    await context.Response.OutputStream.WriteAsync(bytes);
    context.Response.Close();
}
