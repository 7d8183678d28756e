using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;

namespace EcommerceAws.Engine.Aws
{
    /// <summary>
    /// Opt-in log of every request the hand-written clients send (ECOM_AWS_REQUEST_LOG=&lt;file&gt;): one JSON
    /// object a line with service, signing region, method, uri, action (Query protocol), headers and body, so tests can check the
    /// wire shape against the service models. Signing happens after this point, so no credentials are present;
    /// secret parameters (AuthToken, passwords) and any auth header are redacted all the same.
    /// </summary>
    internal static class RequestLog
    {
        public const string Variable = "ECOM_AWS_REQUEST_LOG";
        internal const string Redacted = "REDACTED";
        private static readonly object FileLock = new object();
        private static readonly string[] SecretHeaders = { "Authorization", "X-Amz-Security-Token", "X-Amz-Content-Sha256" };

        public static void Append(string path, string service, string signingRegion, HttpRequestMessage request, string body)
        {
            string mediaType = request.Content?.Headers.ContentType?.MediaType;
            bool form = string.Equals(mediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
            if (form && body != null) body = RedactForm(body);
            var headers = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            void Add(string name, string value) =>
                headers[name] = SecretHeaders.Contains(name, StringComparer.OrdinalIgnoreCase) ? Redacted : value;
            foreach (var header in request.Headers.NonValidated) Add(header.Key, header.Value.ToString());
            if (request.Content != null)
                foreach (var header in request.Content.Headers.NonValidated) Add(header.Key, header.Value.ToString());
            var entry = new Dictionary<string, object>
            {
                ["service"] = service,
                ["signingRegion"] = signingRegion,
                ["method"] = request.Method.Method,
                ["uri"] = request.RequestUri?.ToString(),
                ["action"] = form ? FormValue(body, "Action") : null,
                ["headers"] = headers,
                ["body"] = body,
            };
            string line = JsonSerializer.Serialize(entry) + "\n";
            lock (FileLock) File.AppendAllText(path, line);
        }

        /// <summary>A transport event (a retry and its wait, a clock-skew correction) as one JSON line with "event".</summary>
        public static void AppendEvent(string path, string service, string name, IDictionary<string, object> fields)
        {
            var entry = new Dictionary<string, object> { ["service"] = service, ["event"] = name };
            foreach (var field in fields) entry[field.Key] = field.Value;
            string line = JsonSerializer.Serialize(entry) + "\n";
            lock (FileLock) File.AppendAllText(path, line);
        }

        private static string RedactForm(string body) => string.Join("&", body.Split('&').Select(pair =>
        {
            int eq = pair.IndexOf('=');
            string key = Uri.UnescapeDataString(eq < 0 ? pair : pair.Substring(0, eq));
            string last = key.Substring(key.LastIndexOf('.') + 1);
            return eq >= 0 && Secrets.IsSecretName(last)
                ? pair.Substring(0, eq + 1) + Redacted : pair;
        }));

        private static string FormValue(string body, string name) => body?.Split('&')
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2 && Uri.UnescapeDataString(p[0]) == name)
            .Select(p => Uri.UnescapeDataString(p[1].Replace('+', ' ')))
            .FirstOrDefault();
    }
}
