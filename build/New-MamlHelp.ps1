<#
.SYNOPSIS
    Writes MAML help (en-US/EcommerceAws.dll-Help.xml) for every exported cmdlet, from the cmdlets' own
    metadata (Get-Command) and the XML doc comments the compiler emits.
.DESCRIPTION
    platyPS and XmlDoc2CmdletDoc are not obtainable here, so this small generator does their job.
    Doc comment conventions on a cmdlet class:
      <summary>  synopsis (one sentence)
      <remarks>  description (one or more <para>); a base class's <remarks> follow its cmdlets' own
      <example>  one per example: <code>the command</code> followed by <para> explaining it
    On a parameter property: <summary> (with <para>s) is the parameter's description.
    A cmdlet without a synopsis, a description or two examples fails the build.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $XmlDocPath,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$module = Import-Module $ModulePath -PassThru -Force
$docs = @{}
foreach ($member in ([xml](Get-Content -Raw $XmlDocPath)).doc.members.member) { $docs[$member.name] = $member }

function Get-DocText($node) {
    # Paragraphs of a doc node: <para> children, or the node's own text.
    if ($null -eq $node) { return @() }
    $paras = @($node.SelectNodes('para') | ForEach-Object { $_.InnerText })
    if ($paras.Count -eq 0) { $paras = @($node.InnerText) }
    $paras | ForEach-Object { ($_ -replace '\s+', ' ').Trim() } | Where-Object { $_ }
}

function Get-CodeText($node) {
    # Keep line structure of example code; drop the common indentation.
    $lines = $node.InnerText -split "`r?`n"
    while ($lines.Count -and -not $lines[0].Trim()) { $lines = $lines[1..($lines.Count - 1)] }
    while ($lines.Count -and -not $lines[-1].Trim()) { $lines = $lines[0..($lines.Count - 2)] }
    $indent = ($lines | Where-Object { $_.Trim() } | ForEach-Object { $_.Length - $_.TrimStart().Length } | Measure-Object -Minimum).Minimum
    ($lines | ForEach-Object { if ($_.Length -ge $indent) { $_.Substring($indent) } else { $_.Trim() } }) -join "`n"
}

function Get-DefaultText($instance, [string] $name) {
    $value = $instance.$name
    if ($null -eq $value -or ($value -is [System.Management.Automation.SwitchParameter] -and -not $value.IsPresent)) { return 'None' }
    if ($value -is [array]) { return ($value -join ', ') }
    "$value"
}

function Get-PropertyDoc([type] $type, [string] $name) {
    for ($t = $type; $null -ne $t; $t = $t.BaseType) {
        $doc = $docs["P:$($t.FullName).$name"]
        if ($doc) { return $doc }
    }
}

$commonOnly = [System.Management.Automation.Internal.CommonParameters].GetProperties().Name
$common = $commonOnly +
    [System.Management.Automation.Internal.ShouldProcessParameters].GetProperties().Name
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$null = New-Item -ItemType Directory -Force -Path (Split-Path $OutputPath)
$writer = [System.Xml.XmlWriter]::Create($OutputPath, $settings)
$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
function Paras([string[]] $texts) { foreach ($t in $texts) { $writer.WriteElementString('maml', 'para', $ns.maml, $t) } }

$problems = [System.Collections.Generic.List[string]]::new()
$writer.WriteStartElement('helpItems')
$writer.WriteAttributeString('schema', 'maml')
$writer.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
$writer.WriteAttributeString('xmlns', 'command', $null, $ns.command)
$writer.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)

foreach ($cmd in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $type = $cmd.ImplementingType
    $typeDoc = $docs["T:$($type.FullName)"]
    $synopsis = @(Get-DocText (${typeDoc}?.SelectSingleNode('summary')))
    # The cmdlet's own remarks, then those of its base classes (what a family of cmdlets shares is written once, on
    # their base class, e.g. MigrationRunCmdlet for every Invoke-*Migration).
    $description = @(Get-DocText (${typeDoc}?.SelectSingleNode('remarks')))
    for ($base = $type.BaseType; $null -ne $base; $base = $base.BaseType) {
        $baseDoc = $docs["T:$($base.FullName)"]
        if ($baseDoc) { $description += @(Get-DocText $baseDoc.SelectSingleNode('remarks')) }
    }
    $examples = @(if ($typeDoc) { $typeDoc.SelectNodes('example') })
    if (-not $synopsis) { $problems.Add("$($cmd.Name): no <summary>") }
    if (-not $description) { $problems.Add("$($cmd.Name): no <remarks>") }
    if ($examples.Count -lt 2) { $problems.Add("$($cmd.Name): $($examples.Count) <example>, at least 2 needed") }

    $writer.WriteStartElement('command', 'command', $ns.command)
    $writer.WriteStartElement('command', 'details', $ns.command)
    $writer.WriteElementString('command', 'name', $ns.command, $cmd.Name)
    $writer.WriteElementString('command', 'verb', $ns.command, $cmd.Verb)
    $writer.WriteElementString('command', 'noun', $ns.command, $cmd.Noun)
    $writer.WriteStartElement('maml', 'description', $ns.maml); Paras $synopsis; $writer.WriteEndElement()
    $writer.WriteEndElement()
    $writer.WriteStartElement('maml', 'description', $ns.maml); Paras $description; $writer.WriteEndElement()

    $params = $cmd.Parameters.Values | Where-Object { $_.Name -notin $common }
    $defaults = [Activator]::CreateInstance($type)   # property initializers are the parameters' defaults
    $writer.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $ns.command)
        $writer.WriteElementString('maml', 'name', $ns.maml, $cmd.Name)
        foreach ($p in $set.Parameters | Where-Object { $_.Name -notin $commonOnly }) {
            $writer.WriteStartElement('command', 'parameter', $ns.command)
            $writer.WriteAttributeString('required', "$($p.IsMandatory)".ToLower())
            $writer.WriteAttributeString('position', $(if ($p.Position -ge 0) { "$($p.Position + 1)" } else { 'named' }))
            $writer.WriteElementString('maml', 'name', $ns.maml, $p.Name)
            if ($p.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
                $writer.WriteStartElement('command', 'parameterValue', $ns.command)
                $writer.WriteAttributeString('required', 'true')
                $writer.WriteString($p.ParameterType.Name)
                $writer.WriteEndElement()
            }
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($p in $params | Sort-Object Name) {
        $attr = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        $pipeline = @(
            if ($attr | Where-Object ValueFromPipeline) { 'ByValue' }
            if ($attr | Where-Object ValueFromPipelineByPropertyName) { 'ByPropertyName' }
        )
        $position = @($attr | Where-Object { $_.Position -ge 0 } | ForEach-Object Position) | Select-Object -First 1
        $propertyDoc = Get-PropertyDoc $type $p.Name
        $pdoc = @(Get-DocText (${propertyDoc}?.SelectSingleNode('summary')))
        if (-not $pdoc) { $problems.Add("$($cmd.Name) -$($p.Name): no <summary>") }
        $writer.WriteStartElement('command', 'parameter', $ns.command)
        $writer.WriteAttributeString('required', "$([bool]($attr | Where-Object Mandatory))".ToLower())
        $writer.WriteAttributeString('globbing', "$([bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }))".ToLower())
        $writer.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
        $writer.WriteAttributeString('position', $(if ($null -ne $position) { "$($position + 1)" } else { 'named' }))
        $writer.WriteAttributeString('variableLength', "$($p.ParameterType.IsArray)".ToLower())
        $writer.WriteAttributeString('aliases', $(if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }))
        $writer.WriteElementString('maml', 'name', $ns.maml, $p.Name)
        $writer.WriteStartElement('maml', 'description', $ns.maml); Paras $pdoc; $writer.WriteEndElement()
        $writer.WriteStartElement('command', 'parameterValue', $ns.command)
        $writer.WriteAttributeString('required', "$($p.ParameterType -ne [System.Management.Automation.SwitchParameter])".ToLower())
        $writer.WriteString($p.ParameterType.Name)
        $writer.WriteEndElement()
        $writer.WriteStartElement('dev', 'type', $ns.dev)
        $writer.WriteElementString('maml', 'name', $ns.maml, $p.ParameterType.FullName)
        $writer.WriteEndElement()
        $writer.WriteElementString('dev', 'defaultValue', $ns.dev, (Get-DefaultText $defaults $p.Name))
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $inputs = @($params | Where-Object { $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) } })
    $writer.WriteStartElement('command', 'inputTypes', $ns.command)
    $writer.WriteStartElement('command', 'inputType', $ns.command)
    $writer.WriteStartElement('dev', 'type', $ns.dev)
    $writer.WriteElementString('maml', 'name', $ns.maml, $(if ($inputs) { 'Objects with properties named ' + (($inputs.Name | Sort-Object) -join ', ') } else { 'None' }))
    $writer.WriteEndElement(); $writer.WriteEndElement(); $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'returnValues', $ns.command)
    foreach ($output in $cmd.OutputType) {
        $writer.WriteStartElement('command', 'returnValue', $ns.command)
        $writer.WriteStartElement('dev', 'type', $ns.dev)
        $writer.WriteElementString('maml', 'name', $ns.maml, $output.Name)
        $writer.WriteEndElement(); $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'examples', $ns.command)
    $i = 0
    foreach ($example in $examples) {
        $i++
        $writer.WriteStartElement('command', 'example', $ns.command)
        $writer.WriteElementString('maml', 'title', $ns.maml, "-------------------------- Example $i --------------------------")
        $writer.WriteElementString('dev', 'code', $ns.dev, (Get-CodeText $example.SelectSingleNode('code')))
        $writer.WriteStartElement('dev', 'remarks', $ns.dev); Paras @(Get-DocText $example); $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('maml', 'relatedLinks', $ns.maml)
    $writer.WriteStartElement('maml', 'navigationLink', $ns.maml)
    $writer.WriteElementString('maml', 'linkText', $ns.maml, 'about_EcommerceAws')
    $writer.WriteEndElement(); $writer.WriteEndElement()
    $writer.WriteEndElement()
}
$writer.WriteEndElement()
$writer.Dispose()

if ($problems.Count) {
    Write-Error ("Help is incomplete:`n  " + ($problems -join "`n  "))
    exit 1
}
