// NaiveBaseline --mongo-uri mongodb://h:p/ --db D [--collection products] --table T --endpoint http://h:p [--max-seconds 60]
// What the migration guide's Step 4 does for products: Product.find({}) loads the whole collection into memory, then
// one awaited PutItem per product, in order, with the guide's hand-picked fields. No batching, no concurrency.
// --max-seconds stops writing after that long (the rate is steady, so a time-boxed run measures it without taking
// an hour at 10 ms per call; the full run's time is then projected as load + loaded × time per put).
// Prints one JSON line: {"loaded":n,"written":n,"loadSeconds":s,"writeSeconds":s,"itemsPerSecond":r,"projected":b,"peakWorkingSet":b}.
using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using MongoDB.Bson;
using MongoDB.Driver;

var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--")).ToDictionary(p => p.a, p => p.i + 1 < args.Length ? args[p.i + 1] : "");
string Option(string name, string fallback = null) => options.TryGetValue(name, out string v) ? v : fallback ?? throw new ArgumentException($"{name} is required.");
double maxSeconds = double.Parse(Option("--max-seconds", "0"), CultureInfo.InvariantCulture);

var mongo = new MongoClient(Option("--mongo-uri"));
var collection = mongo.GetDatabase(Option("--db")).GetCollection<BsonDocument>(Option("--collection", "products"));
var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials("testing", "testing"), new AmazonDynamoDBConfig
{
    ServiceURL = Option("--endpoint"),
    AuthenticationRegion = Environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1",
});
string table = Option("--table");

var watch = Stopwatch.StartNew();
List<BsonDocument> products = await collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync(); // "await Product.find({})"
double loadSeconds = watch.Elapsed.TotalSeconds;
watch.Restart();
long written = 0;
foreach (BsonDocument product in products)
{
    if (maxSeconds > 0 && watch.Elapsed.TotalSeconds >= maxSeconds) break;
    string id = product["_id"].ToString();
    var item = new Dictionary<string, AttributeValue>
    {
        ["PK"] = new AttributeValue($"PRODUCT#{id}"),
        ["SK"] = new AttributeValue($"PRODUCT#{id}"),
        ["GSI1PK"] = new AttributeValue($"CATEGORY#{Text(product, "category")}"),
        ["GSI1SK"] = new AttributeValue($"PRODUCT#{Text(product, "nameEn")}"),
        ["id"] = new AttributeValue(id),
        ["nameEn"] = new AttributeValue(Text(product, "nameEn")),
        ["nameFr"] = new AttributeValue(Text(product, "nameFr")),
        ["category"] = new AttributeValue(Text(product, "category")),
        ["entityType"] = new AttributeValue("PRODUCT"),
    };
    // Mongoose's Number schema: a double; Decimal128 and NumberLong become plain JavaScript numbers.
    if (product.TryGetValue("price", out BsonValue price) && !price.IsBsonNull) item["price"] = new AttributeValue { N = ((double)price.ToDecimal()).ToString("R", CultureInfo.InvariantCulture) };
    if (product.TryGetValue("stock", out BsonValue stock) && !stock.IsBsonNull) item["stock"] = new AttributeValue { N = stock.ToInt64().ToString(CultureInfo.InvariantCulture) };
    if (product.TryGetValue("images", out BsonValue images) && images.IsBsonArray && images.AsBsonArray.Count > 0)
        item["images"] = new AttributeValue { L = images.AsBsonArray.Select(i => new AttributeValue(i.ToString())).ToList() };
    if (product.TryGetValue("description", out BsonValue description) && description.IsString) item["description"] = new AttributeValue(description.AsString);
    await dynamo.PutItemAsync(new PutItemRequest { TableName = table, Item = item });
    written++;
}
watch.Stop();
double writeSeconds = watch.Elapsed.TotalSeconds;
double fullSeconds = loadSeconds + (written == 0 ? 0 : writeSeconds / written * products.Count);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"loaded\":{products.Count},\"written\":{written},\"loadSeconds\":{loadSeconds:0.000},\"writeSeconds\":{writeSeconds:0.000},\"itemsPerSecond\":{products.Count / fullSeconds:0.0},\"projected\":{(written < products.Count ? "true" : "false")},\"peakWorkingSet\":{Process.GetCurrentProcess().PeakWorkingSet64}}}"));

static string Text(BsonDocument document, string name) => document.TryGetValue(name, out BsonValue v) && !v.IsBsonNull ? v.ToString() : "";
