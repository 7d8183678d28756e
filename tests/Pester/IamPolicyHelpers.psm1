# Derives from the code (not from a hand-written list) which AWS client methods the engine calls.
Set-StrictMode -Version 3.0

function Get-InterfaceMethod {
    # Method names of the named interfaces in an assembly, read from its metadata (nothing is loaded or run).
    param([string] $AssemblyPath, [scriptblock] $Where)
    $stream = [System.IO.File]::OpenRead($AssemblyPath)
    try {
        $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
        $md = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
        foreach ($handle in $md.TypeDefinitions) {
            $type = $md.GetTypeDefinition($handle)
            if (-not ($type.Attributes -band [System.Reflection.TypeAttributes]::Interface)) { continue }
            $name = $md.GetString($type.Name)
            $namespace = $md.GetString($type.Namespace)
            if (-not (& $Where $name $namespace)) { continue }
            foreach ($methodHandle in $type.GetMethods()) {
                [pscustomobject]@{ Interface = $name; Method = $md.GetString($md.GetMethodDefinition($methodHandle).Name) }
            }
        }
    }
    finally { $stream.Dispose() }
}

function Get-AwsClientMethod {
    <#
    Every method of the AWS client interfaces the engine uses: the SDK's IAmazon* service interfaces (from the
    AWSSDK.*.dll files shipped in Dependencies) and the hand-written clients (the interfaces implemented by the
    engine classes that build a SignedServiceClient), read from EcommerceAws.Engine.dll.
    #>
    param([string] $ModulePath, [string] $EngineSource)
    $dependencies = Join-Path $ModulePath 'Dependencies'
    Get-ChildItem $dependencies -Filter 'AWSSDK.*.dll' | Where-Object Name -NotIn 'AWSSDK.Core.dll' | ForEach-Object {
        Get-InterfaceMethod $_.FullName { param($name, $namespace) $name -like 'IAmazon*' -and $namespace -like 'Amazon.*' -and $namespace -notlike '*.Model*' }
    }

    $handWritten = foreach ($file in Get-ChildItem $EngineSource -Recurse -Filter *.cs) {
        $text = Get-Content $file.FullName -Raw
        if ($text -notmatch 'new SignedServiceClient\(') { continue }
        foreach ($match in [regex]::Matches($text, 'class\s+\w+\s*:\s*([\w\s,.<>]+?)\s*\{')) {
            $match.Groups[1].Value -split ',' | ForEach-Object Trim | Where-Object { $_ -match '^I[A-Z]\w+$' -and $_ -ne 'IDisposable' }
        }
    }
    $handWritten = @($handWritten | Sort-Object -Unique)
    if ($handWritten.Count -eq 0) { throw "No hand-written client found under $EngineSource." }
    Get-InterfaceMethod (Join-Path $dependencies 'EcommerceAws.Engine.dll') { param($name, $namespace) $name -in $handWritten }
}

function Get-EngineAsyncCall {
    # Distinct '.XxxAsync' member references in the engine's C# (comments and the IAM catalog itself excluded).
    param([string] $EngineSource)
    $root = (Resolve-Path $EngineSource).Path
    Get-ChildItem $root -Recurse -Filter *.cs |
        Where-Object { $_.FullName.Substring($root.Length) -notmatch '^[\\/]?(Iam|bin|obj)[\\/]' } |
        ForEach-Object {
            foreach ($line in Get-Content $_.FullName) {
                $code = $line -replace '//.*$', ''
                foreach ($match in [regex]::Matches($code, '\.([A-Z]\w*Async)\b')) {
                    [pscustomobject]@{ Method = $match.Groups[1].Value; File = $_.Name }
                }
            }
        } | Sort-Object Method, File -Unique
}

function Get-CalledAwsOperation {
    # The AWS client methods the engine calls: each with the interface(s) that declare it and the files calling it.
    param([string] $ModulePath, [string] $EngineSource)
    $byMethod = @{}
    foreach ($m in Get-AwsClientMethod -ModulePath $ModulePath -EngineSource $EngineSource) {
        if (-not $byMethod.ContainsKey($m.Method)) { $byMethod[$m.Method] = [System.Collections.Generic.HashSet[string]]::new() }
        $null = $byMethod[$m.Method].Add($m.Interface)
    }
    Get-EngineAsyncCall -EngineSource $EngineSource | Where-Object { $byMethod.ContainsKey($_.Method) } | Group-Object Method | ForEach-Object {
        [pscustomobject]@{ Method = $_.Name; Interfaces = @($byMethod[$_.Name]); Files = @($_.Group.File) }
    }
}

function Get-PolicyStatement {
    # The statements of a policy JSON with Action/Resource always as arrays.
    param([string] $Json)
    (ConvertFrom-Json $Json).Statement | ForEach-Object {
        [pscustomobject]@{ Sid = $_.Sid; Effect = $_.Effect; Action = @($_.Action); Resource = @($_.Resource) }
    }
}

# moto 5.2.1 names some S3 requests after another action than IAM does (moto/s3/responses.py ACTION_MAP: a bucket
# sub-resource it does not list falls back to the method's default), and one CloudFront call after its API operation.
# Under enforcement moto checks ITS name, so a test of a real policy grants moto's name too, but only where the real
# policy grants the real action, on the same resource. Never added to the policy the module emits.
$script:MotoActionAliases = @(
    @{ Real = 's3:PutBucketOwnershipControls'; Moto = 's3:CreateBucket' }      # PUT ?ownershipControls
    @{ Real = 's3:PutBucketPublicAccessBlock'; Moto = 's3:CreateBucket' }      # PUT ?publicAccessBlock
    @{ Real = 's3:PutEncryptionConfiguration'; Moto = 's3:CreateBucket' }      # PUT ?encryption
    @{ Real = 's3:PutMetricsConfiguration'; Moto = 's3:CreateBucket' }         # PUT ?metrics
    @{ Real = 's3:GetBucketPublicAccessBlock'; Moto = 's3:ListBucket' }        # GET ?publicAccessBlock
    @{ Real = 's3:GetEncryptionConfiguration'; Moto = 's3:ListBucket' }        # GET ?encryption
    @{ Real = 's3:GetMetricsConfiguration'; Moto = 's3:ListBucket' }           # GET ?metrics
    @{ Real = 's3:GetBucketOwnershipControls'; Moto = 's3:ListBucket' }        # GET ?ownershipControls
    @{ Real = 's3:ListBucket'; Moto = 's3:HeadBucket' }                        # HEAD bucket
    @{ Real = 's3:DeleteObject'; Moto = 's3:DeleteObject'; OnBucket = $true }  # POST ?delete is checked against the bucket ARN
    @{ Real = 'cloudfront:CreateDistribution'; Moto = 'cloudfront:CreateDistributionWithTags' }
)

function ConvertTo-MotoEnforcedPolicy {
    <#
    The policy JSON moto can check: moto matches non-S3 requests only against the resource "*" (a statement scoped to a
    table ARN never matches there), so every statement without S3 actions gets Resource "*" (its actions are still
    checked); S3 statements keep their real ARNs. moto's names for some actions are added next to the real ones
    ($MotoActionAliases). Conditions are left out: moto evaluates no condition keys of identity policies and treats a
    statement it cannot evaluate as a Deny. -Drop removes an action (the negative control).
    #>
    param([Parameter(Mandatory)] [string] $Json, [string[]] $Drop = @())
    $statements = [System.Collections.Generic.List[object]]::new()
    $aliases = [System.Collections.Generic.List[object]]::new()
    foreach ($statement in (ConvertFrom-Json $Json).Statement) {
        $actions = @(@($statement.Action) | Where-Object { $_ -notin $Drop })
        if ($actions.Count -eq 0) { continue }
        $resources = @($statement.Resource)
        $isS3 = @($actions | Where-Object { $_ -like 's3:*' }).Count -gt 0
        if (-not $isS3) { $resources = @('*') }
        $statements.Add([ordered]@{ Sid = $statement.Sid; Effect = 'Allow'; Action = $actions; Resource = $resources })
        # moto prefixes an action with the service name of the signature's credential scope: CloudWatch is signed as
        # "monitoring", so moto checks monitoring:PutMetricAlarm where IAM checks cloudwatch:PutMetricAlarm.
        foreach ($action in $actions | Where-Object { $_ -like 'cloudwatch:*' }) {
            $aliases.Add([ordered]@{ Action = ($action -replace '^cloudwatch:', 'monitoring:'); Resource = $resources })
        }
        foreach ($alias in $script:MotoActionAliases) {
            if ($alias['Real'] -notin $actions -or $alias['Moto'] -in $Drop) { continue }
            $on = if ($alias['OnBucket']) { @($resources | ForEach-Object { $_ -replace '/\*$', '' }) } else { $resources }
            $aliases.Add([ordered]@{ Action = $alias['Moto']; Resource = $on })
        }
    }
    $i = 0
    foreach ($group in $aliases | Group-Object { ($_.Resource | Sort-Object) -join ' ' }) {
        $statements.Add([ordered]@{ Sid = "MotoAliases$((++$i))"; Effect = 'Allow'; Action = @($group.Group.Action | Sort-Object -Unique); Resource = @($group.Group[0].Resource) })
    }
    [ordered]@{ Version = '2012-10-17'; Statement = $statements } | ConvertTo-Json -Depth 10 -Compress
}

Export-ModuleMember -Function Get-AwsClientMethod, Get-EngineAsyncCall, Get-CalledAwsOperation, Get-PolicyStatement, ConvertTo-MotoEnforcedPolicy
