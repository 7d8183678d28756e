using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace EcommerceAws.Internal
{
    /// <summary>
    /// Loads EcommerceAws.Engine and every third-party assembly (AWSSDK, MongoDB.Driver, StackExchange.Redis) into the
    /// module's own AssemblyLoadContext, so other modules' versions in the session never clash.
    /// Pattern: PowerShell docs, "Resolving PowerShell module assembly dependency conflicts": the cmdlet assembly
    /// references the engine directly; the default context cannot find EcommerceAws.Engine.dll (it lives in
    /// Dependencies/), so its Resolving event hands the engine to the isolated context, where the engine's own
    /// references then resolve. The shared types (EcommerceAws.Shared.dll) stay in the default context for everybody.
    /// See docs/DESIGN.md, "Layers and load contexts".
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        // The engine is first needed when a cmdlet's ProcessRecord is compiled, which is always after OnImport.
        public void OnImport() => EngineLoadContext.Attach();

        public void OnRemove(PSModuleInfo psModuleInfo) => EngineLoadContext.Detach();
    }

    /// <summary>The module's isolated load context: resolves assemblies from the module's Dependencies folder.</summary>
    public sealed class EngineLoadContext : AssemblyLoadContext
    {
        internal const string EngineAssemblyName = "EcommerceAws.Engine";
        internal const string SharedAssemblyName = "EcommerceAws.Shared";

        private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(EngineLoadContext).Assembly.Location) ?? ".";
        private static readonly string DependencyDirectory = Path.Combine(ModuleDirectory, "Dependencies");
        private static readonly object Gate = new object();
        private static bool attached;

        internal static readonly EngineLoadContext Instance = new EngineLoadContext();

        private EngineLoadContext() : base("EcommerceAws", isCollectible: false) { }

        /// <summary>Folder the isolated assemblies are loaded from.</summary>
        public static string DependencyPath => DependencyDirectory;

        internal static void Attach()
        {
            lock (Gate)
            {
                if (attached) return;
                Default.Resolving += ResolveInDefault;
                attached = true;
            }
        }

        internal static void Detach()
        {
            lock (Gate)
            {
                if (!attached) return;
                Default.Resolving -= ResolveInDefault;
                attached = false;
            }
        }

        private static Assembly ResolveInDefault(AssemblyLoadContext defaultContext, AssemblyName name)
        {
            if (name.Name == EngineAssemblyName) return Instance.LoadFromAssemblyName(name);
            // The manifest loads the shared assembly first; this only helps a host that loads EcommerceAws.dll by path.
            if (name.Name == SharedAssemblyName)
            {
                string path = Path.Combine(ModuleDirectory, SharedAssemblyName + ".dll");
                return File.Exists(path) ? defaultContext.LoadFromAssemblyPath(path) : null;
            }
            return null;
        }

        protected override Assembly Load(AssemblyName assemblyName)
        {
            // The shared types (and EcommerceAws.dll) must keep one identity with PowerShell: never loaded here.
            if (assemblyName.Name == SharedAssemblyName || assemblyName.Name == typeof(EngineLoadContext).Assembly.GetName().Name) return null;
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
