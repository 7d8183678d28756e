using System.Collections;
using System.Collections.Generic;
using System.Globalization;

namespace EcommerceAws.Engine.Aws
{
    /// <summary>
    /// The form fields of one AWS Query-protocol request, flattened the way the service models say
    /// (lists as Name.member.N or Name.Tag.N, structures as Name.N.Field); nulls are left out.
    /// </summary>
    internal sealed class QueryParameters : IEnumerable<KeyValuePair<string, string>>
    {
        private readonly List<KeyValuePair<string, string>> fields = new List<KeyValuePair<string, string>>();

        public QueryParameters Add(string name, string value)
        {
            if (value != null) fields.Add(new KeyValuePair<string, string>(name, value));
            return this;
        }

        public QueryParameters Add(string name, int? value) =>
            Add(name, value?.ToString(CultureInfo.InvariantCulture));

        public QueryParameters Add(string name, double? value) =>
            Add(name, value?.ToString("R", CultureInfo.InvariantCulture));

        public QueryParameters Add(string name, bool? value) =>
            Add(name, value == null ? null : value.Value ? "true" : "false");

        /// <summary>A list of strings: <c>name.memberName.1</c>, <c>name.memberName.2</c>, ...</summary>
        public QueryParameters AddList(string name, string memberName, IEnumerable<string> values)
        {
            if (values == null) return this;
            int index = 1;
            foreach (string value in values) Add($"{name}.{memberName}.{index++}", value);
            return this;
        }

        /// <summary>A list of structures: <c>name.memberName.N.Field</c> for each field the selector returns.</summary>
        public QueryParameters AddList<T>(string name, string memberName, IEnumerable<T> values,
            System.Func<T, IEnumerable<KeyValuePair<string, string>>> fieldsOf)
        {
            if (values == null) return this;
            int index = 1;
            foreach (T value in values)
            {
                foreach (KeyValuePair<string, string> field in fieldsOf(value))
                    Add($"{name}.{memberName}.{index}.{field.Key}", field.Value);
                index++;
            }
            return this;
        }

        public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => fields.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
