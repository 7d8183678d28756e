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

Export-ModuleMember -Function Get-AwsClientMethod, Get-EngineAsyncCall, Get-CalledAwsOperation, Get-PolicyStatement
