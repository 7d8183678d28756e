# Helpers shared by the MongoDB wire test server's own tests (MongoWire*.Tests.ps1).

function New-TestDatabaseName {
    # A fresh database name per test, so one shared server is fine.
    param([string] $Prefix = 'mw_')
    $Prefix + [guid]::NewGuid().ToString('N')
}

function Start-PrivateMongoWire {
    # Starts a private `MongoWire serve --port 0` (own name: TestServices.psm1 has Start-MongoWireServer) and waits for LISTENING.
    param([string[]] $ExtraArguments = @(), [string] $Dll = $env:ECOM_MONGOWIRE_DLL)
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    # --exit-on-stdin-eof: the server dies with this test run even if AfterAll never runs.
    foreach ($argument in @($Dll, 'serve', '--port', '0', '--exit-on-stdin-eof') + $ExtraArguments) {
        $startInfo.ArgumentList.Add($argument)
    }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardInput = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $firstLine = $process.StandardOutput.ReadLineAsync()
    if (-not $firstLine.Wait([TimeSpan]::FromSeconds(30)) -or $firstLine.Result -notmatch '^LISTENING (\d+)$') {
        $process.Kill($true)
        throw "MongoWire server did not report LISTENING (got '$($firstLine.Status)')."
    }
    [pscustomobject]@{ Process = $process; Port = [int]$Matches[1] }
}

function Stop-PrivateMongoWire {
    param($Server)
    if ($Server -and -not $Server.Process.HasExited) {
        $Server.Process.Kill($true)
        $null = $Server.Process.WaitForExit(5000)
    }
    if ($Server) { $Server.Process.Dispose() }
}

Export-ModuleMember -Function New-TestDatabaseName, Start-PrivateMongoWire, Stop-PrivateMongoWire
