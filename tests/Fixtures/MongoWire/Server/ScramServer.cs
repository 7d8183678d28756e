using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>State of one SASL conversation on one connection.</summary>
internal sealed class ScramConversation
{
    public ScramServer.Mechanism Mechanism { get; init; }

    public string User { get; init; }

    public string ClientFirstBare { get; init; }

    public string ServerFirst { get; init; }

    public string Nonce { get; init; }

    public bool SkipEmptyExchange { get; init; }

    /// <summary>True after the proof checked out and the server signature was sent.</summary>
    public bool ProofVerified { get; set; }
}

/// <summary>Server side of SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802/7677) for a single user in "admin".</summary>
internal sealed class ScramServer
{
    private const string AuthDatabase = "admin";
    private const string Sha1 = "SCRAM-SHA-1";
    private const string Sha256 = "SCRAM-SHA-256";

    private readonly string _user;
    private readonly Dictionary<string, Mechanism> _mechanisms;

    public ScramServer(string user, string password)
    {
        _user = user;
        // MongoDB's SCRAM-SHA-1 "password" is the legacy MD5 digest of user:mongo:password.
        var sha1Password = Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes($"{user}:mongo:{password}"))).ToLowerInvariant();
        // SASLprep is approximated by NFKC: exact for ASCII and the usual non-ASCII passwords.
        var sha256Password = password.Normalize(NormalizationForm.FormKC);
        _mechanisms = new Dictionary<string, Mechanism>(StringComparer.Ordinal)
        {
            [Sha1] = new Mechanism(Sha1, HashAlgorithmName.SHA1, sha1Password, iterations: 10000),
            [Sha256] = new Mechanism(Sha256, HashAlgorithmName.SHA256, sha256Password, iterations: 15000),
        };
    }

    public static BsonArray SupportedMechanisms => new() { Sha1, Sha256 };

    /// <summary>Answers hello's saslSupportedMechs:"db.user" probe.</summary>
    public bool Knows(string qualifiedUser) => qualifiedUser == $"{AuthDatabase}.{_user}";

    /// <summary>saslStart: checks mechanism and user, returns the server-first message.</summary>
    public BsonDocument Start(ConnectionState connection, BsonDocument command, string database)
    {
        var mechanismName = command.GetValue("mechanism", "").AsString;
        if (!_mechanisms.TryGetValue(mechanismName, out var mechanism))
        {
            throw new CommandException(334, "MechanismUnavailable", $"Received authentication for mechanism {mechanismName} which is not enabled");
        }

        var clientFirst = Encoding.UTF8.GetString(Payload(command));
        // gs2 header: only "n,," (no channel binding, no authzid) is what drivers send over plain TCP.
        if (!clientFirst.StartsWith("n,,", StringComparison.Ordinal) && !clientFirst.StartsWith("y,,", StringComparison.Ordinal))
        {
            throw CommandException.AuthenticationFailed();
        }

        var clientFirstBare = clientFirst[3..];
        var attributes = ParseAttributes(clientFirstBare);
        if (!attributes.TryGetValue('n', out var encodedUser) || !attributes.TryGetValue('r', out var clientNonce))
        {
            throw CommandException.AuthenticationFailed();
        }

        var user = encodedUser.Replace("=2C", ",").Replace("=3D", "=");
        if (database != AuthDatabase || user != _user)
        {
            throw CommandException.AuthenticationFailed();
        }

        var nonce = clientNonce + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var serverFirst = $"r={nonce},s={Convert.ToBase64String(mechanism.Salt)},i={mechanism.Iterations}";
        var id = connection.NextConversationId();
        var options = command.GetValue("options", new BsonDocument()) as BsonDocument ?? new BsonDocument();
        connection.Conversations[id] = new ScramConversation
        {
            Mechanism = mechanism,
            User = user,
            ClientFirstBare = clientFirstBare,
            ServerFirst = serverFirst,
            Nonce = nonce,
            SkipEmptyExchange = options.GetValue("skipEmptyExchange", false).ToBoolean(),
        };

        return Step(id, done: false, Encoding.UTF8.GetBytes(serverFirst));
    }

    /// <summary>saslContinue: verifies the client proof, or closes the optional empty exchange.</summary>
    public BsonDocument Continue(ConnectionState connection, BsonDocument command)
    {
        var id = command.GetValue("conversationId", 0).ToInt32();
        if (!connection.Conversations.TryGetValue(id, out var conversation))
        {
            throw new CommandException(17, "ProtocolError", "No SASL session state found");
        }

        if (conversation.ProofVerified)
        {
            connection.Conversations.Remove(id);
            return Step(id, done: true, Array.Empty<byte>());
        }

        try
        {
            var serverSignature = VerifyClientFinal(conversation, Encoding.UTF8.GetString(Payload(command)));
            connection.User = conversation.User;
            conversation.ProofVerified = true;
            if (conversation.SkipEmptyExchange)
            {
                connection.Conversations.Remove(id);
            }

            return Step(id, conversation.SkipEmptyExchange, Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(serverSignature)));
        }
        catch (CommandException)
        {
            connection.Conversations.Remove(id);
            throw;
        }
    }

    private static byte[] VerifyClientFinal(ScramConversation conversation, string clientFinal)
    {
        var proofAt = clientFinal.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            throw CommandException.AuthenticationFailed();
        }

        var withoutProof = clientFinal[..proofAt];
        var attributes = ParseAttributes(withoutProof);
        if (attributes.GetValueOrDefault('c') != "biws" && attributes.GetValueOrDefault('c') != "eSws")
        {
            throw CommandException.AuthenticationFailed(); // base64("n,,") / base64("y,,")
        }

        if (attributes.GetValueOrDefault('r') != conversation.Nonce)
        {
            throw CommandException.AuthenticationFailed();
        }

        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(clientFinal[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            throw CommandException.AuthenticationFailed();
        }

        var mechanism = conversation.Mechanism;
        var authMessage = Encoding.UTF8.GetBytes($"{conversation.ClientFirstBare},{conversation.ServerFirst},{withoutProof}");
        var clientSignature = Hmac(mechanism.Hash, mechanism.StoredKey, authMessage);
        if (proof.Length != clientSignature.Length)
        {
            throw CommandException.AuthenticationFailed();
        }

        // ClientKey = proof XOR ClientSignature; it is right when H(ClientKey) equals StoredKey.
        var clientKey = proof.Zip(clientSignature, (p, s) => (byte)(p ^ s)).ToArray();
        if (!CryptographicOperations.FixedTimeEquals(Digest(mechanism.Hash, clientKey), mechanism.StoredKey))
        {
            throw CommandException.AuthenticationFailed();
        }

        return Hmac(mechanism.Hash, mechanism.ServerKey, authMessage);
    }

    private static byte[] Payload(BsonDocument command) => command.GetValue("payload", BsonNull.Value) switch
    {
        BsonBinaryData binary => binary.Bytes,
        BsonString text => Encoding.UTF8.GetBytes(text.Value),
        _ => throw CommandException.AuthenticationFailed(),
    };

    private static BsonDocument Step(int conversationId, bool done, byte[] payload) => new()
    {
        { "conversationId", conversationId },
        { "done", done },
        { "payload", new BsonBinaryData(payload) },
    };

    private static Dictionary<char, string> ParseAttributes(string message)
    {
        var attributes = new Dictionary<char, string>();
        foreach (var part in message.Split(','))
        {
            if (part.Length >= 2 && part[1] == '=')
            {
                attributes[part[0]] = part[2..];
            }
        }

        return attributes;
    }

    private static byte[] Hmac(HashAlgorithmName hash, byte[] key, byte[] data) =>
        hash == HashAlgorithmName.SHA1 ? HMACSHA1.HashData(key, data) : HMACSHA256.HashData(key, data);

    private static byte[] Digest(HashAlgorithmName hash, byte[] data) =>
        hash == HashAlgorithmName.SHA1 ? SHA1.HashData(data) : SHA256.HashData(data);

    /// <summary>Per-mechanism stored credentials, derived once at startup (salt is per server run).</summary>
    internal sealed class Mechanism
    {
        public Mechanism(string name, HashAlgorithmName hash, string password, int iterations)
        {
            Name = name;
            Hash = hash;
            Iterations = iterations;
            Salt = RandomNumberGenerator.GetBytes(hash == HashAlgorithmName.SHA1 ? 16 : 28);
            var length = hash == HashAlgorithmName.SHA1 ? 20 : 32;
            var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Salt, iterations, hash, length);
            StoredKey = Digest(hash, Hmac(hash, salted, Encoding.UTF8.GetBytes("Client Key")));
            ServerKey = Hmac(hash, salted, Encoding.UTF8.GetBytes("Server Key"));
        }

        public string Name { get; }

        public HashAlgorithmName Hash { get; }

        public int Iterations { get; }

        public byte[] Salt { get; }

        public byte[] StoredKey { get; }

        public byte[] ServerKey { get; }
    }
}
