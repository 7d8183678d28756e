using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace EcommerceAws.Engine.Tests
{
    /// <summary>
    /// The engine is compiled against PowerShellStandard.Library, a reference assembly that cannot run; in the module,
    /// pwsh supplies System.Management.Automation. Here the local pwsh tool (.config/dotnet-tools.json, restored by
    /// <c>dotnet tool restore</c>) supplies it, so code that builds an <c>EcommerceException</c> (an ErrorCategory) runs
    /// in these tests as it does in PowerShell.
    /// </summary>
    internal static class PowerShellRuntime
    {
        [ModuleInitializer]
        internal static void Register() => AssemblyLoadContext.Default.Resolving += Resolve;

        private static Assembly Resolve(AssemblyLoadContext context, AssemblyName name)
        {
            if (name.Name != "System.Management.Automation" && name.Name?.StartsWith("Microsoft.PowerShell.", StringComparison.Ordinal) != true) return null;
            string directory = Directory();
            string path = directory == null ? null : new[] { Path.Combine(directory, OperatingSystem.IsWindows() ? "win" : "unix"), directory }
                .Select(d => Path.Combine(d, name.Name + ".dll")).FirstOrDefault(File.Exists);
            if (path == null)
                throw new FileNotFoundException($"{name.Name} comes from the local pwsh tool in tests; run 'dotnet tool restore' (looked in '{directory ?? PackageRoot + "powershell"}').");
            return context.LoadFromAssemblyPath(path);
        }

        private static string PackageRoot =>
            Assembly.GetExecutingAssembly().GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages") + Path.DirectorySeparatorChar;

        /// <summary>tools/&lt;tfm&gt;/any of the pwsh version the repository pins.</summary>
        private static string Directory()
        {
            string version = Assembly.GetExecutingAssembly().GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "PwshToolVersion")?.Value;
            string tools = Path.Combine(PackageRoot, "powershell", version ?? "", "tools");
            return System.IO.Directory.Exists(tools) ? System.IO.Directory.GetDirectories(tools).Select(t => Path.Combine(t, "any")).FirstOrDefault(System.IO.Directory.Exists) : null;
        }
    }
}
