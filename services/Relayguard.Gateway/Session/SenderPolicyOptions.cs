namespace Relayguard.Gateway.Session;

/// <summary>Which envelope senders each account may use (configuration section <c>Senders</c>).</summary>
public sealed class SenderPolicyOptions
{
    public const string SectionName = "Senders";

    /// <summary>
    /// <c>off</c> (no check), <c>log</c> (log a sender the account may not use, and accept it; the default) or
    /// <c>refuse</c> (answer MAIL FROM with <c>553 5.7.1</c>).
    /// </summary>
    public string Policy { get; set; } = SenderPolicy.Log;

    /// <summary>
    /// Per account, the addresses (<c>alice@example.com</c>) and domains (<c>example.com</c>, or <c>@example.com</c>)
    /// it may send from, as <c>Senders:Accounts:NAME:0=...</c>. An account that is not listed may use its own name
    /// when that is an address, and is not checked otherwise.
    /// </summary>
    public Dictionary<string, List<string>> Accounts { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
