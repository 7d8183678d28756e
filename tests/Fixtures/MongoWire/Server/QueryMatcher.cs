using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using MongoDB.Bson;

namespace MongoWire.Server;

/// <summary>Compiles a query filter into a predicate. Unsupported operators fail at compile time,
/// so a query the fixture cannot answer is an error, never a silently wrong result.</summary>
internal static class QueryMatcher
{
    public static Func<BsonDocument, bool> Compile(BsonDocument filter)
    {
        if (filter == null || filter.ElementCount == 0)
        {
            return _ => true;
        }

        var clauses = filter.Elements.Select(CompileClause).ToList();
        return document => clauses.All(clause => clause(document));
    }

    public static Func<BsonDocument, bool> Compile(BsonValue filter) => filter switch
    {
        null or BsonNull => _ => true,
        BsonDocument document => Compile(document),
        _ => throw CommandException.TypeMismatch("filter must be an object"),
    };

    private static Func<BsonDocument, bool> CompileClause(BsonElement element)
    {
        switch (element.Name)
        {
            case "$and":
                var all = CompileList(element);
                return document => all.All(p => p(document));
            case "$or":
                var any = CompileList(element);
                return document => any.Any(p => p(document));
            case "$nor":
                var none = CompileList(element);
                return document => !none.Any(p => p(document));
            case "$comment":
                return _ => true;
        }

        if (element.Name.StartsWith('$'))
        {
            throw CommandException.BadValue($"unknown top level operator: {element.Name}");
        }

        var path = element.Name;
        var test = CompileCondition(element.Value);
        return document => test(FieldPath.Resolve(document, path));
    }

    private static List<Func<BsonDocument, bool>> CompileList(BsonElement element)
    {
        if (element.Value is not BsonArray array || array.Count == 0)
        {
            throw CommandException.BadValue($"{element.Name} argument must be a non-empty array");
        }

        return array.Select(item => item is BsonDocument d
            ? Compile(d)
            : throw CommandException.BadValue($"{element.Name} argument's entries must be objects")).ToList();
    }

    /// <summary>Condition on one field value (null = missing): {$op: arg, ...}, a regex, or a literal.</summary>
    private static Func<BsonValue, bool> CompileCondition(BsonValue condition)
    {
        if (condition is BsonDocument operators && operators.ElementCount > 0 && operators.GetElement(0).Name.StartsWith('$'))
        {
            var options = operators.GetValue("$options", null)?.AsString ?? "";
            var tests = operators.Elements
                .Where(e => e.Name != "$options")
                .Select(e => CompileOperator(e.Name, e.Value, options))
                .ToList();
            return value => tests.All(t => t(value));
        }

        if (condition is BsonRegularExpression regex)
        {
            return CompileOperator("$regex", regex, "");
        }

        return value => AnyElement(value, v => EqualsLiteral(v, condition));
    }

    private static Func<BsonValue, bool> CompileOperator(string name, BsonValue argument, string regexOptions)
    {
        switch (name)
        {
            case "$eq":
                return value => AnyElement(value, v => EqualsLiteral(v, argument));
            case "$ne":
                return value => !AnyElement(value, v => EqualsLiteral(v, argument));
            case "$gt":
                return Range(argument, c => c > 0);
            case "$gte":
                return Range(argument, c => c >= 0);
            case "$lt":
                return Range(argument, c => c < 0);
            case "$lte":
                return Range(argument, c => c <= 0);
            case "$in":
                var set = RequireArray(name, argument);
                return value => AnyElement(value, v => set.Any(item => EqualsLiteral(v, item)));
            case "$nin":
                var excluded = RequireArray(name, argument);
                return value => !AnyElement(value, v => excluded.Any(item => EqualsLiteral(v, item)));
            case "$exists":
                var wanted = argument.ToBoolean();
                return value => (value != null) == wanted;
            case "$size":
                var size = argument.ToInt32();
                return value => value is BsonArray array && array.Count == size;
            case "$not":
                var inner = CompileCondition(argument);
                return value => !inner(value);
            case "$regex":
                var regex = ToRegex(argument, regexOptions);
                return value => AnyElement(value, v => v != null && v.IsString && regex.IsMatch(v.AsString));
            default:
                throw CommandException.BadValue($"unknown operator: {name}");
        }
    }

    private static Func<BsonValue, bool> Range(BsonValue argument, Func<int, bool> accept) =>
        value => AnyElement(value, v => v != null && BsonOrder.Bracket(v) == BsonOrder.Bracket(argument) && accept(BsonOrder.Compare(v, argument)));

    /// <summary>A literal matches the value itself or, for arrays, any element (MongoDB array semantics).</summary>
    private static bool AnyElement(BsonValue value, Func<BsonValue, bool> test)
    {
        if (value == null)
        {
            return test(null);
        }

        return test(value) || (value is BsonArray array && array.Any(test));
    }

    /// <summary>Missing fields equal null; numbers compare across int/long/double/decimal.</summary>
    private static bool EqualsLiteral(BsonValue value, BsonValue literal) =>
        value == null ? literal.IsBsonNull : BsonOrder.AreEqual(value, literal);

    private static BsonArray RequireArray(string name, BsonValue argument) =>
        argument as BsonArray ?? throw CommandException.BadValue($"{name} needs an array");

    private static Regex ToRegex(BsonValue argument, string options)
    {
        var (pattern, flags) = argument switch
        {
            BsonRegularExpression r => (r.Pattern, r.Options + options),
            BsonString s => (s.Value, options),
            _ => throw CommandException.BadValue("$regex has to be a string"),
        };
        var regexOptions = RegexOptions.CultureInvariant;
        foreach (var flag in flags)
        {
            regexOptions |= flag switch
            {
                'i' => RegexOptions.IgnoreCase,
                'm' => RegexOptions.Multiline,
                's' => RegexOptions.Singleline,
                'x' => RegexOptions.IgnorePatternWhitespace,
                _ => throw CommandException.BadValue($"invalid regex flag '{flag}'"),
            };
        }

        return new Regex(pattern, regexOptions);
    }
}
