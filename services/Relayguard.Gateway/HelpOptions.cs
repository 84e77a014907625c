namespace Relayguard.Gateway;

/// <summary>Where the help pages named in every refusal live (configuration section <c>Help</c>).</summary>
public sealed class HelpOptions
{
    public const string SectionName = "Help";

    /// <summary>The public URL of the SMTP error help page; required once an SMTP listener is beyond loopback.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>A public listener of its own for the help pages, ADDRESS:PORT.</summary>
    public string? Listen { get; set; }
}
