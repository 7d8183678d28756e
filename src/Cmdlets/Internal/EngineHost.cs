using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Reflection;

namespace EcommerceAws.Internal
{
    /// <summary>
    /// Hands cmdlets the engine's implementation of a contract interface. The engine lives in the isolated
    /// load context, so it is found by reflection: the one public concrete engine type implementing the interface.
    /// </summary>
    internal static class EngineHost
    {
        private static readonly Lazy<Type[]> EngineTypes = new Lazy<Type[]>(() =>
            EngineLoadContext.Instance
                .LoadFromAssemblyName(new AssemblyName(EngineLoadContext.EngineAssemblyName))
                .GetExportedTypes()
                .Where(t => t.IsClass && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) != null)
                .ToArray());

        private static readonly ConcurrentDictionary<Type, object> Services = new ConcurrentDictionary<Type, object>();

        internal static TService Get<TService>() where TService : class =>
            (TService)Services.GetOrAdd(typeof(TService), contract =>
            {
                Type implementation = EngineTypes.Value.SingleOrDefault(contract.IsAssignableFrom)
                    ?? throw new InvalidOperationException($"The engine has no implementation of {contract.Name}.");
                return Activator.CreateInstance(implementation);
            });
    }
}
