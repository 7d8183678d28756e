using System;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace EcommerceAws.Engine.Connections
{
    /// <summary>
    /// The default TLS server-certificate check (this machine's trust store + the host name), remembering why a
    /// certificate was refused so the error can say it in plain words. It never accepts more than the default does.
    /// </summary>
    internal sealed class CertificateCheck
    {
        /// <summary>How a private CA is trusted; ElastiCache and CloudFront certificates are publicly trusted and need nothing.</summary>
        public const string TrustAdvice =
            "ElastiCache and CloudFront certificates are publicly trusted. For a private CA, add it to this machine's trust store: on Linux start pwsh with SSL_CERT_FILE (a PEM bundle that includes the CA) or SSL_CERT_DIR=<dir with the CA>:/etc/ssl/certs (read once per process); on Windows import it into Cert:\\CurrentUser\\Root; on macOS add it to the keychain as trusted.";

        public SslPolicyErrors Errors { get; private set; }
        public bool Failed => Errors != SslPolicyErrors.None;
        private string issuer;
        private string chainStatus;
        private string names;

        public bool Validate(object sender, X509Certificate certificate, X509Chain chain, SslPolicyErrors errors)
        {
            Errors = errors;
            if (errors == SslPolicyErrors.None) return true;
            issuer = certificate?.Issuer;
            chainStatus = chain == null ? null : string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
            names = certificate == null ? null : Names(new X509Certificate2(certificate));
            return false;
        }

        /// <summary>Why the certificate was refused, in plain words (null when it was not).</summary>
        public string Words(string host)
        {
            if (!Failed) return null;
            if (Errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return "the server sent no TLS certificate.";
            if (Errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
                return $"the server's TLS certificate is not trusted on this machine (issued by '{issuer}'" + (string.IsNullOrEmpty(chainStatus) ? ")." : $"; {chainStatus}).");
            return $"the server's TLS certificate is for another name ({names ?? "unknown"}), not '{host}'. Connect with a name the certificate covers (through a tunnel: map that name to 127.0.0.1 in /etc/hosts).";
        }

        public bool NameMismatchOnly => Errors == SslPolicyErrors.RemoteCertificateNameMismatch;

        private static string Names(X509Certificate2 certificate)
        {
            var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
            string[] all = san == null ? Array.Empty<string>()
                : san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString())).ToArray();
            return all.Length > 0 ? string.Join(", ", all) : certificate.GetNameInfo(X509NameType.SimpleName, false);
        }
    }
}
