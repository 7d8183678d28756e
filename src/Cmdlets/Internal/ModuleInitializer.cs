using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace EcommerceAws.Internal
{
    /// <summary>
    /// Loads EcommerceAws.Engine and every third-party assembly (AWSSDK, MongoDB.Driver, StackExchange.Redis)
    /// into the module's own AssemblyLoadContext, so other modules' versions in the session never clash.
    /// Pattern: PowerShell docs, "Resolving PowerShell module assembly dependency conflicts".
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        public void OnImport() => AssemblyLoadContext.Default.Resolving += ResolveEngine;

        public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

        private static Assembly ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName name)
        {
            // Only the engine is routed here; its own dependencies then resolve inside the isolated context.
            return name.Name == EngineLoadContext.EngineAssemblyName
                ? EngineLoadContext.Instance.LoadFromAssemblyName(name)
                : null;
        }
    }

    /// <summary>The module's isolated load context: resolves assemblies from the module's Dependencies folder.</summary>
    public sealed class EngineLoadContext : AssemblyLoadContext
    {
        internal const string EngineAssemblyName = "EcommerceAws.Engine";

        private static readonly string DependencyDirectory = Path.Combine(
            Path.GetDirectoryName(typeof(EngineLoadContext).Assembly.Location) ?? ".", "Dependencies");

        internal static readonly EngineLoadContext Instance = new EngineLoadContext();

        private EngineLoadContext() : base("EcommerceAws", isCollectible: false) { }

        /// <summary>Folder the isolated assemblies are loaded from.</summary>
        public static string DependencyPath => DependencyDirectory;

        protected override Assembly Load(AssemblyName assemblyName)
        {
            // EcommerceAws.dll (the contract) must stay shared with PowerShell, so it is never loaded here.
            if (assemblyName.Name == typeof(EngineLoadContext).Assembly.GetName().Name) return null;
            string path = Path.Combine(DependencyDirectory, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
        {
            string path = Path.Combine(DependencyDirectory, unmanagedDllName);
            return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
        }
    }
}
