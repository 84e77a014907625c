namespace Relayguard.Operations.Audit;

/// <summary>The <c>action</c> values of the audit log.</summary>
public static class AuditActions
{
    public const string Block = "block";
    public const string Lift = "lift";
    public const string TokenAdd = "token-add";
    public const string TokenRemove = "token-remove";
    public const string AllowAdd = "allow-add";
    public const string AllowRemove = "allow-remove";
}
