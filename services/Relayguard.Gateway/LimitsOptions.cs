namespace Relayguard.Gateway;

/// <summary>Protocol and resource limits (configuration section <c>Limits</c>).</summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Limits";

    /// <summary>Maximum message size in octets; 35 MiB by default.</summary>
    public long MessageSize { get; set; } = 35L * 1024 * 1024;

    public int RecipientsPerMessage { get; set; } = 100;

    /// <summary>Maximum command line in octets, CRLF included.</summary>
    public int CommandLineLength { get; set; } = 1000;

    /// <summary>Maximum commands in one session since its last accepted message (or since it began); more end the session with 421.</summary>
    public int CommandsPerSession { get; set; } = 1000;

    /// <summary>Concurrent sessions from one client address; trusted ranges are exempt.</summary>
    public int SessionsPerIp { get; set; } = 20;

    /// <summary>Concurrent sessions on all SMTP listeners together.</summary>
    public int Sessions { get; set; } = 2000;

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the message data may pause before the session ends with 421.</summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the whole message data may take to arrive; a slower upload ends with 421.</summary>
    public TimeSpan DataDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Message data beyond this many octets is spooled to disk instead of memory.</summary>
    public int InMemoryThreshold { get; set; } = 64 * 1024;
}
