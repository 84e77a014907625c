namespace Relayguard.Gateway.Smtp;

/// <summary>Keys of <see cref="SmtpSessionContext.Items"/> that the protocol layer reads.</summary>
public static class SessionItems
{
    /// <summary>True when the client is in a trusted range: bare line endings in its data are normalised instead of refused.</summary>
    public const string Trusted = "trusted";
}
