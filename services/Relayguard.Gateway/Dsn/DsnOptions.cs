namespace Relayguard.Gateway.Dsn;

/// <summary>Where the upstream MTA's bounce copies arrive (configuration section <c>Dsn</c>).</summary>
public sealed class DsnOptions
{
    public const string SectionName = "Dsn";

    /// <summary>The DSN listener, ADDRESS:PORT (<c>--dsn-smtp</c>); none by default.</summary>
    public string? Listen { get; set; }

    /// <summary>Client ranges allowed to deliver reports to the DSN listener: the provider's MTAs. Loopback by default.</summary>
    public List<string> AllowedClients { get; set; } = [];

    public static IReadOnlyList<string> DefaultAllowedClients { get; } = ["127.0.0.0/8", "::1/128"];
}
