namespace Relayguard.Gateway.Smtp;

/// <summary>Protocol limits of one listener; every one bounds memory or time whatever a client sends.</summary>
public sealed record SmtpLimits
{
    /// <summary>Maximum message size in octets, advertised with SIZE and enforced while the data arrives.</summary>
    public long MessageSize { get; init; } = 35L * 1024 * 1024;

    public int RecipientsPerMessage { get; init; } = 100;

    /// <summary>Maximum command line length in octets including CRLF (RFC 5321 section 4.5.3.1.4 gives 512; extensions need more).</summary>
    public int CommandLineLength { get; init; } = 1000;

    /// <summary>Maximum commands in one session since its last accepted message (or since it began); more end the session with 421.</summary>
    public int CommandsPerSession { get; init; } = 1000;

    public int ErrorsPerSession { get; init; } = 10;

    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the data may pause: each wait for more of it (RFC 5321 section 4.5.3.2.6 gives 3 minutes per block).</summary>
    public TimeSpan DataTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the whole upload may take, so a client that sends a byte now and then cannot hold a session for good.</summary>
    public TimeSpan DataDuration { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Message data is kept in memory up to this size and spooled to a file beyond it.</summary>
    public int InMemoryThreshold { get; init; } = 64 * 1024;

    /// <summary>Maximum size of a SASL response line (base64), so AUTH cannot be used to buffer large input.</summary>
    public int AuthLineLength { get; init; } = 12288;
}
