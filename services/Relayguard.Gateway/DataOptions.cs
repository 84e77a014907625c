namespace Relayguard.Gateway;

/// <summary>Where state lives on disk (configuration section <c>Data</c>).</summary>
public sealed class DataOptions
{
    public const string SectionName = "Data";

    /// <summary>The data folder: the SQLite database, the outbox, the spool, the pickup folder and the operator token.</summary>
    public string Directory { get; set; } = "./data";

    /// <summary>How long the message index keeps each relayed message.</summary>
    public TimeSpan IndexRetention { get; set; } = TimeSpan.FromDays(7);

    public string DatabasePath => Path.Combine(Directory, "relayguard.db");
}
