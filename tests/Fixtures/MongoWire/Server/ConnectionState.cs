using System.Collections.Generic;

namespace MongoWire.Server;

/// <summary>Per-connection state: id for hello, authentication, SASL conversations.</summary>
internal sealed class ConnectionState
{
    private int _nextConversationId;

    public ConnectionState(int id)
    {
        Id = id;
    }

    public int Id { get; }

    /// <summary>Authenticated user name, or null.</summary>
    public string User { get; set; }

    public Dictionary<int, ScramConversation> Conversations { get; } = new();

    public int NextConversationId() => ++_nextConversationId;
}
