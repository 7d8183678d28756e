using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using EcommerceAws.Contract;

namespace EcommerceAws.Internal
{
    /// <summary>
    /// Lets -Entity take the MongoDB collection names too ("products", "Orders"), as a newcomer who knows the source types them;
    /// the enum's own names (Product, order, …) pass through to PowerShell's usual conversion, and anything else fails there
    /// with the list of valid names.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class EntityNameTransformationAttribute : ArgumentTransformationAttribute
    {
        private static readonly Dictionary<string, EcommerceEntity> CollectionNames = new(StringComparer.OrdinalIgnoreCase)
        {
            ["categories"] = EcommerceEntity.Category,
            ["products"] = EcommerceEntity.Product,
            ["users"] = EcommerceEntity.User,
            ["orders"] = EcommerceEntity.Order,
        };

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject ps ? ps.BaseObject : inputData;
            if (value is string text) return One(text);
            if (value is IEnumerable list && value is not string)
            {
                var result = new List<object>();
                foreach (object item in list) result.Add(item is PSObject p && p.BaseObject is string s ? One(s) : item is string t ? One(t) : item);
                return result.ToArray();
            }
            return inputData;
        }

        private static object One(string text) =>
            CollectionNames.TryGetValue(text.Trim(), out EcommerceEntity entity) ? entity : text;
    }
}
