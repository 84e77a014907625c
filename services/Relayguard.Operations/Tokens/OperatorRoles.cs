namespace Relayguard.Operations.Tokens;

/// <summary>The roles of operator tokens: <c>read</c> may read every endpoint, and <c>operate</c> may also change blocks.</summary>
public static class OperatorRoles
{
    public const string Read = "read";
    public const string Operate = "operate";

    public static readonly IReadOnlyList<string> All = [Read, Operate];
}
