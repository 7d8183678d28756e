using System;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>A command failure that becomes an {ok:0, errmsg, code, codeName} reply.</summary>
internal sealed class CommandException : Exception
{
    public CommandException(int code, string codeName, string message) : base(message)
    {
        Code = code;
        CodeName = codeName;
    }

    public int Code { get; }

    public string CodeName { get; }

    public static CommandException BadValue(string message) => new(2, "BadValue", message);

    public static CommandException TypeMismatch(string message) => new(14, "TypeMismatch", message);

    public static CommandException AuthenticationFailed() => new(18, "AuthenticationFailed", "Authentication failed.");

    public BsonDocument ToReply() => new()
    {
        { "ok", 0.0 },
        { "errmsg", Message },
        { "code", Code },
        { "codeName", CodeName },
    };
}
