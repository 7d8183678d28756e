<#
.SYNOPSIS
    Generates the sample Cameroon shop: mongoexport JSON lines (samples/shop) and mongodump BSON (samples/dump/shop).
.DESCRIPTION
    Deterministic (seeded System.Random, ObjectIds from fixed timestamps and counters): running it twice writes the
    same bytes. Writes categories, products, users and orders, plus a few deliberately bad documents that the
    migration rejects (listed in samples/README.md). JSON files are Extended JSON v2 canonical, one document per
    line (mongoexport --jsonFormat=canonical) so Int64 and Decimal128 survive; BSON files are what mongodump writes.
    Needs MongoDB.Bson.dll: build the module first (dotnet pwsh ./build.ps1 Build).
.EXAMPLE
    dotnet pwsh ./samples/New-SampleShop.ps1
#>
[CmdletBinding()]
param(
    [string] $OutputPath = $PSScriptRoot,
    [string] $BsonAssembly = (Join-Path $PSScriptRoot '../out/EcommerceAws/Dependencies/MongoDB.Bson.dll'),
    [int] $Seed = 237
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Add-Type -Path (Resolve-Path $BsonAssembly)

$random = [System.Random]::new($Seed)
$epoch = [datetime]::new(2024, 1, 1, 0, 0, 0, [DateTimeKind]::Utc)
$script:counter = 0

function New-Id([datetime] $At) {
    # ObjectId = 4-byte timestamp + 8 deterministic bytes, so _id order follows creation time.
    $script:counter++
    $seconds = [int64]($At - [datetime]::UnixEpoch).TotalSeconds
    [MongoDB.Bson.BsonObjectId]::new([MongoDB.Bson.ObjectId]::Parse(('{0:x8}ec0a{1:x12}' -f $seconds, $script:counter)))
}
function New-Date([datetime] $At) { [MongoDB.Bson.BsonDateTime]::new($At) }
function New-Decimal([string] $Text) { [MongoDB.Bson.BsonDecimal128]::new([MongoDB.Bson.Decimal128]::Parse($Text)) }
function New-Long([int64] $Value) { [MongoDB.Bson.BsonInt64]::new($Value) }
function New-Document([System.Collections.IDictionary] $Fields) { , [MongoDB.Bson.BsonDocument]::new($Fields) } # comma: a BsonDocument is enumerable
function Get-Pick([object[]] $From) { $From[$random.Next($From.Count)] }
function Get-Slug([string] $Text) { ($Text.ToLowerInvariant() -replace '[^a-z0-9]+', '-').Trim('-') }

# --- categories -------------------------------------------------------------------------------------------
$categorySpecs = @(
    @('Electronics', 'Electronics', 'Électronique'),
    @('Clothing', 'Clothing', 'Vêtements'),
    @('Home & Kitchen', 'Home & Kitchen', 'Maison & Cuisine'),
    @('Beauté & Santé', 'Beauty & Health', 'Beauté & Santé'),
    @('Alimentation', 'Food & Groceries', 'Alimentation'),
    @('Sports & Loisirs', 'Sports & Leisure', 'Sports & Loisirs')
)
$categories = [System.Collections.Generic.List[object]]::new()
$at = $epoch
foreach ($spec in $categorySpecs) {
    $at = $at.AddHours(3)
    $categories.Add((New-Document ([ordered]@{
        _id = New-Id $at; name = $spec[0]; nameEn = $spec[1]; nameFr = $spec[2]; slug = Get-Slug $spec[1]
        isActive = $true; createdAt = New-Date $at; __v = 0 })))
}
# Bad: a category carrying server-side JavaScript (BSON type JavaScript) → UnsupportedBsonType.
$at = $at.AddHours(3)
$categories.Add((New-Document ([ordered]@{
    _id = New-Id $at; name = 'Promotions'; nameEn = 'Deals'; nameFr = 'Promotions'; slug = 'deals'
    isVisible = [MongoDB.Bson.BsonJavaScript]::new('function () { return new Date() < this.endsAt; }')
    createdAt = New-Date $at; __v = 0 })))

# --- products ---------------------------------------------------------------------------------------------
$catalog = @{
    'Electronics' = @(@('Smartphone Tecno Spark 20', 'Smartphone Tecno Spark 20', 89000), @('Itel A70 phone', 'Téléphone Itel A70', 52000),
        @('Solar power bank 20000 mAh', 'Batterie solaire 20000 mAh', 15000), @('Bluetooth speaker', 'Enceinte Bluetooth', 18500),
        @('LED television 32 inch', 'Téléviseur LED 32 pouces', 115000), @('Wireless earbuds', 'Écouteurs sans fil', 12000),
        @('Laptop HP 15', 'Ordinateur portable HP 15', 365000), @('USB-C charger', 'Chargeur USB-C', 4500),
        @('Voltage stabiliser 1000 VA', 'Stabilisateur de tension 1000 VA', 27500), @('Rechargeable torch', 'Torche rechargeable', 6500),
        @('Decoder Canal+', 'Décodeur Canal+', 25000))
    'Clothing' = @(@('Kaba dress', 'Robe kaba', 15000), @('Toghu shirt', 'Chemise toghu', 22000), @('Wax print skirt', 'Jupe en pagne wax', 9500),
        @('Football jersey Lions Indomptables', 'Maillot des Lions Indomptables', 12500), @('Leather sandals', 'Sandales en cuir', 8000),
        @('Men trousers', 'Pantalon homme', 11000), @('Cotton T-shirt', 'T-shirt en coton', 3500), @('Rain jacket', 'Veste de pluie', 17500),
        @('Child school uniform', 'Uniforme scolaire enfant', 7500), @('Head wrap', 'Foulard de tête', 2500), @('Sneakers', 'Baskets', 19500))
    'Home & Kitchen' = @(@('Gas cooker 2 burners', 'Réchaud à gaz 2 feux', 32000), @('Rice cooker', 'Cuiseur à riz', 21000),
        @('Blender', 'Mixeur', 16500), @('Mosquito net', 'Moustiquaire', 5000), @('Plastic chairs set of 4', 'Lot de 4 chaises en plastique', 24000),
        @('Water filter', 'Filtre à eau', 28000), @('Pot set aluminium', 'Marmites en aluminium', 18000), @('Standing fan', 'Ventilateur sur pied', 23500),
        @('Mortar and pestle', 'Mortier et pilon', 6000), @('Thermos 2 L', 'Thermos 2 L', 7000), @('Bed sheets 2 places', 'Draps 2 places', 12000))
    'Beauté & Santé' = @(@('Shea butter 500 g', 'Beurre de karité 500 g', 3500), @('Body lotion', 'Lait de corps', 4200), @('Hair braids pack', 'Mèches pour tresses', 2000),
        @('Toothpaste family', 'Dentifrice familial', 1200), @('Black soap', 'Savon noir', 1500), @('Perfume 100 ml', 'Parfum 100 ml', 15500),
        @('First aid kit', 'Trousse de premiers secours', 9000), @('Hand sanitiser', 'Gel hydroalcoolique', 1800), @('Hair dryer', 'Sèche-cheveux', 13000),
        @('Sunscreen SPF 50', 'Crème solaire SPF 50', 6800))
    'Alimentation' = @(@('Penja white pepper 250 g', 'Poivre blanc de Penja 250 g', 6500), @('Rice 25 kg', 'Riz 25 kg', 18000), @('Palm oil 5 L', 'Huile de palme 5 L', 7000),
        @('Cocoa powder', 'Poudre de cacao', 2500), @('Coffee Arabica West', 'Café Arabica de l''Ouest', 4500), @('Plantain chips', 'Chips de plantain', 800),
        @('Honey Oku 1 kg', 'Miel d''Oku 1 kg', 5500), @('Groundnut paste', 'Pâte d''arachide', 1500), @('Mineral water pack', 'Pack d''eau minérale', 3000),
        @('Egusi seeds 1 kg', 'Graines d''egusi 1 kg', 3200), @('Cassava flour', 'Farine de manioc', 1700))
    'Sports & Loisirs' = @(@('Football size 5', 'Ballon de football taille 5', 9000), @('Yoga mat', 'Tapis de yoga', 8500), @('Bicycle', 'Vélo', 95000),
        @('Dumbbells 2 x 5 kg', 'Haltères 2 x 5 kg', 21000), @('Board game Songo', 'Jeu de Songo', 6000), @('Swimming goggles', 'Lunettes de natation', 3500))
}
$products = [System.Collections.Generic.List[object]]::new()
$goodProducts = [System.Collections.Generic.List[object]]::new()
$at = $epoch.AddDays(2)
$decimalEvery = 9
foreach ($categoryName in $categorySpecs | ForEach-Object { $_[0] }) {
    foreach ($entry in $catalog[$categoryName]) {
        $at = $at.AddMinutes($random.Next(60, 2400))
        $slug = Get-Slug $entry[0]
        $price = if (($products.Count + 1) % $decimalEvery -eq 0) { New-Decimal ('{0}.50' -f $entry[2]) } else { [int] $entry[2] }
        $id = New-Id $at
        $document = New-Document ([ordered]@{
            _id = $id; nameEn = $entry[0]; nameFr = $entry[1]; category = $categoryName
            price = $price; currency = 'XAF'; stock = $random.Next(0, 250)
            images = @("/uploads/products/$slug.jpg", "/uploads/products/$slug-2.jpg")
            rating = [math]::Round(3 + $random.NextDouble() * 2, 1); soldCount = New-Long ($random.Next(0, 5000))
            isActive = $true; createdAt = New-Date $at; updatedAt = New-Date ($at.AddDays($random.Next(0, 30))); __v = 0 })
        $products.Add($document)
        $goodProducts.Add([pscustomobject]@{ Id = $id; NameEn = $entry[0]; Price = [int] $entry[2] })
    }
}
# Bad products.
$at = $at.AddHours(1)
$products.Add((New-Document ([ordered]@{ _id = New-Id $at; nameFr = 'Sac à main en raphia'; category = 'Clothing'; price = 14000; stock = 3; createdAt = New-Date $at; __v = 0 })))
$at = $at.AddHours(1)
$products.Add((New-Document ([ordered]@{ _id = New-Id $at; nameEn = 'Generator 2.5 kVA'; nameFr = 'Groupe électrogène 2,5 kVA'; category = 'Electronics'
    price = [double]::NaN; stock = 2; createdAt = New-Date $at; __v = 0 })))
$at = $at.AddHours(1)
$products.Add((New-Document ([ordered]@{ _id = New-Id $at; nameEn = 'Mystery box'; nameFr = 'Boîte mystère'; category = 'Alimentation'; price = 2000
    searchPattern = [MongoDB.Bson.BsonRegularExpression]::new('^myst', 'i'); stock = 10; createdAt = New-Date $at; __v = 0 })))
$at = $at.AddHours(1)
$products.Add((New-Document ([ordered]@{ _id = New-Id $at; nameEn = 'Gold bar'; nameFr = 'Lingot d''or'; category = 'Alimentation'
    price = New-Decimal '1E+200'; stock = 1; createdAt = New-Date $at; __v = 0 })))

# --- users ------------------------------------------------------------------------------------------------
$firstNames = 'Amina', 'Jean', 'Brice', 'Clarisse', 'Samuel', 'Nadège', 'Paul', 'Estelle', 'Hervé', 'Mireille', 'Joseph', 'Sandrine', 'Arouna', 'Fadimatou', 'Yannick'
$lastNames = 'Njoya', 'Mbarga', 'Fotso', 'Ekotto', 'Tchoumi', 'Abena', 'Nkeng', 'Manga', 'Bello', 'Kamga', 'Essomba', 'Ndongo'
$cities = @(@('Douala', 'Littoral'), @('Yaoundé', 'Centre'), @('Bafoussam', 'Ouest'), @('Garoua', 'Nord'), @('Bamenda', 'Nord-Ouest'), @('Buea', 'Sud-Ouest'), @('Kribi', 'Sud'))
$hashAlphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
function New-BcryptHash { '$2b$10$' + (-join (1..53 | ForEach-Object { $hashAlphabet[$random.Next($hashAlphabet.Length)] })) }
$users = [System.Collections.Generic.List[object]]::new()
$goodUsers = [System.Collections.Generic.List[object]]::new()
$at = $epoch.AddDays(1)
$seen = @{}
for ($i = 0; $i -lt 28; $i++) {
    $at = $at.AddMinutes($random.Next(120, 6000))
    do { $first = Get-Pick $firstNames; $last = Get-Pick $lastNames } while ($seen.ContainsKey("$first.$last"))
    $seen["$first.$last"] = $true
    $city = Get-Pick $cities
    $email = ('{0}.{1}@example.cm' -f $first, $last).ToLowerInvariant() -replace 'é|è', 'e' -replace 'ç', 'c'
    $phone = '+2376{0:d8}' -f $random.Next(0, 99999999)
    $id = New-Id $at
    $document = New-Document ([ordered]@{
        _id = $id; name = "$first $last"; email = $email
        password = New-BcryptHash; role = if ($i -lt 2) { 'admin' } else { 'customer' }
        phone = $phone; address = [ordered]@{ street = "Rue $($random.Next(1, 300))"; city = $city[0]; region = $city[1]; country = 'CM' }
        emailVerified = ($random.Next(4) -ne 0); createdAt = New-Date $at; __v = 0 })
    $users.Add($document)
    $goodUsers.Add([pscustomobject]@{ Id = $id; Email = $email; City = $city[0]; Phone = $phone })
}
# Bad users: same e-mail as the third user, differently cased and padded (DuplicateEmail); no e-mail at all (MissingField).
$at = $at.AddHours(2)
$duplicateOf = $goodUsers[2].Email
$users.Add((New-Document ([ordered]@{ _id = New-Id $at; name = 'Duplicate Account'; email = '  ' + $duplicateOf.ToUpperInvariant() + ' '
    password = New-BcryptHash; role = 'customer'; createdAt = New-Date $at; __v = 0 })))
$at = $at.AddHours(2)
$users.Add((New-Document ([ordered]@{ _id = New-Id $at; name = 'Guest Checkout'; password = New-BcryptHash; role = 'customer'; createdAt = New-Date $at; __v = 0 })))

# --- orders -----------------------------------------------------------------------------------------------
$statuses = 'pending', 'paid', 'paid', 'shipped', 'delivered', 'delivered', 'delivered', 'cancelled'
$payments = 'MTN Mobile Money', 'Orange Money', 'Cash on delivery'
$orders = [System.Collections.Generic.List[object]]::new()
$at = $epoch.AddDays(20)
for ($i = 0; $i -lt 56; $i++) {
    $at = $at.AddMinutes($random.Next(30, 3000))
    $user = Get-Pick $goodUsers.ToArray()
    $lines = @()
    $subtotal = 0
    foreach ($n in 1..($random.Next(1, 4))) {
        $product = Get-Pick $goodProducts.ToArray()
        $unit = $product.Price
        $qty = $random.Next(1, 4)
        $subtotal += $unit * $qty
        $lines += [ordered]@{ productId = $product.Id; nameEn = $product.NameEn; qty = $qty; unitPrice = $unit }
    }
    $delivery = Get-Pick @(0, 1000, 1500, 2000)
    $orders.Add((New-Document ([ordered]@{
        _id = New-Id $at; userId = $user.Id; items = $lines; subtotal = $subtotal; deliveryFee = $delivery; total = New-Long ($subtotal + $delivery)
        currency = 'XAF'; status = Get-Pick $statuses; paymentMethod = Get-Pick $payments
        shippingAddress = [ordered]@{ city = $user.City; phone = $user.Phone }
        createdAt = New-Date $at; __v = 0 })))
}
# Bad order: no userId (MissingField).
$at = $at.AddHours(1)
$orders.Add((New-Document ([ordered]@{ _id = New-Id $at; items = @([ordered]@{ productId = $goodProducts[0].Id; qty = 1; unitPrice = 89000 }); total = New-Long 89000
    status = 'pending'; paymentMethod = 'Orange Money'; createdAt = New-Date $at; __v = 0 })))

# --- write ------------------------------------------------------------------------------------------------
$jsonSettings = [MongoDB.Bson.IO.JsonWriterSettings]::new()
$jsonSettings.OutputMode = [MongoDB.Bson.IO.JsonOutputMode]::CanonicalExtendedJson
$jsonDirectory = New-Item -ItemType Directory -Force -Path (Join-Path $OutputPath 'shop')
$dumpDirectory = New-Item -ItemType Directory -Force -Path (Join-Path $OutputPath 'dump/shop')
$utf8 = [System.Text.UTF8Encoding]::new($false)
foreach ($collection in @(@('categories', $categories), @('products', $products), @('users', $users), @('orders', $orders))) {
    $name = $collection[0]; $documents = $collection[1]
    $lines = foreach ($document in $documents) { [MongoDB.Bson.BsonExtensionMethods]::ToJson($document, [MongoDB.Bson.BsonDocument], $jsonSettings) }
    [System.IO.File]::WriteAllText((Join-Path $jsonDirectory "$name.json"), (($lines -join "`n") + "`n"), $utf8)
    $stream = [System.IO.File]::Create((Join-Path $dumpDirectory "$name.bson"))
    try {
        foreach ($document in $documents) {
            $bytes = [MongoDB.Bson.BsonExtensionMethods]::ToBson($document, [MongoDB.Bson.BsonDocument])
            $stream.Write($bytes, 0, $bytes.Length)
        }
    }
    finally { $stream.Dispose() }
    [pscustomobject]@{ Collection = $name; Documents = $documents.Count; Json = "shop/$name.json"; Bson = "dump/shop/$name.bson" }
}
