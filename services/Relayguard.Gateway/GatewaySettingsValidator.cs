using System.Net;
using Microsoft.Extensions.Options;
using Relayguard.Gateway.Identity;
using Relayguard.Gateway.Relay;
using Relayguard.Gateway.Scanning;
using Relayguard.Gateway.Session;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway;

/// <summary>
/// Checks the gateway's settings together at start-up, so that a bad value stops the service with a message
/// that names the key and the fix, instead of failing on the first message.
/// </summary>
public sealed class GatewaySettingsValidator(
    IOptions<LimitsOptions> limits,
    IOptions<RelayOptions> relay,
    IOptions<RspamdOptions> rspamd,
    IOptions<HelpOptions> help,
    IOptions<TlsOptions> tls,
    IOptions<Dsn.DsnOptions> dsn) : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        var listeners = new List<IPEndPoint>();
        TryListen(options.Listen, "Smtp:Listen (--smtp)", listeners, errors);
        if (!string.IsNullOrWhiteSpace(options.ImplicitTlsListen))
        {
            TryListen(options.ImplicitTlsListen, "Smtp:ImplicitTlsListen (--smtps)", listeners, errors);
        }

        if (options.HostName is not null && !IsHostName(options.HostName))
        {
            errors.Add($"Invalid Smtp:HostName '{options.HostName}': use the gateway's fully qualified domain name, such as mail.example.net (letters, digits and hyphens in labels of 1 to 63 characters, at most 253 in all), or leave the setting out to use the machine's name.");
        }

        if (!string.IsNullOrWhiteSpace(options.RecipientHashKey))
        {
            try
            {
                RecipientHasher.LoadKey(options.RecipientHashKey, string.Empty);
            }
            catch (SettingException ex)
            {
                errors.Add(ex.Message);
            }
        }

        foreach (var entry in options.Trusted)
        {
            if (!TrustedNetworks.TryParseEntry(entry, out _, out _, out var error))
            {
                errors.Add($"Smtp:Trusted (--trusted): {error}");
            }
        }

        foreach (var range in options.SharedRanges)
        {
            if (!IpNetwork.TryParse(range, out _))
            {
                errors.Add($"Invalid Smtp:SharedRanges entry '{range}': use CIDR notation such as 100.64.0.0/10.");
            }
        }

        foreach (var balancer in options.ProxyProtocolFrom)
        {
            if (!IpNetwork.TryParse(balancer, out _))
            {
                errors.Add($"Invalid Smtp:ProxyProtocolFrom entry '{balancer}': use CIDR notation such as 10.0.0.0/8 for the load balancers' addresses.");
            }
        }

        var allLoopback = listeners.All(l => IPAddress.IsLoopback(l.Address));
        if (!string.IsNullOrWhiteSpace(dsn.Value.Listen))
        {
            TryListen(dsn.Value.Listen, "Dsn:Listen (--dsn-smtp)", [], errors);
        }

        foreach (var range in dsn.Value.AllowedClients)
        {
            if (!IpNetwork.TryParse(range, out _))
            {
                errors.Add($"Invalid Dsn:AllowedClients entry '{range}': use CIDR notation such as 192.0.2.25/32.");
            }
        }

        CheckRelay(allLoopback, errors);
        CheckScanner(errors);
        CheckLimits(errors);

        var helpValue = help.Value;
        if (!allLoopback && string.IsNullOrWhiteSpace(helpValue.BaseUrl))
        {
            errors.Add("Help:BaseUrl is required when an SMTP listener is beyond loopback: set it to the public address of the help page, for example https://mail.example.net/help/smtp-errors.");
        }

        if (!string.IsNullOrWhiteSpace(helpValue.BaseUrl)
            && (!Uri.TryCreate(helpValue.BaseUrl, UriKind.Absolute, out var helpUrl) || helpUrl.Scheme is not ("http" or "https")))
        {
            errors.Add($"Invalid Help:BaseUrl '{helpValue.BaseUrl}': use an absolute http or https URL such as https://mail.example.net/help/smtp-errors.");
        }

        var tlsValue = tls.Value;
        var hasCertificate = !string.IsNullOrWhiteSpace(tlsValue.CertificateFile);
        var hasKey = !string.IsNullOrWhiteSpace(tlsValue.KeyFile);
        if (hasCertificate != hasKey)
        {
            errors.Add("Tls:CertificateFile (--tls-cert) and Tls:KeyFile (--tls-key) must be set together.");
        }
        else if (hasCertificate)
        {
            CheckCertificate(tlsValue.CertificateFile!, tlsValue.KeyFile!, errors);
        }
        else if (!hasCertificate && !allLoopback)
        {
            errors.Add("Tls:CertificateFile (--tls-cert) and Tls:KeyFile (--tls-key) are required when an SMTP listener is beyond loopback; a self-signed certificate is generated only while every listener is on loopback.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private void CheckRelay(bool allLoopback, List<string> errors)
    {
        var value = relay.Value;
        if (string.IsNullOrWhiteSpace(value.Upstream))
        {
            if (!allLoopback)
            {
                errors.Add("Relay:Upstream (--upstream HOST:PORT) is required when an SMTP listener is beyond loopback: the pickup folder is only for trials on loopback.");
            }
        }
        else
        {
            try
            {
                Endpoints.ParseHostPort(value.Upstream, "Relay:Upstream (--upstream)");
            }
            catch (FormatException ex)
            {
                errors.Add(ex.Message);
            }
        }

        if (value.Connections is < 1 or > 1000)
        {
            errors.Add($"Invalid Relay:Connections {value.Connections}: use 1 to 1000.");
        }

        if (value.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"Invalid Relay:Timeout {value.Timeout}: it must be positive, for example 2m.");
        }

        if (value.ConnectionReuseTime <= TimeSpan.Zero)
        {
            errors.Add($"Invalid Relay:ConnectionReuseTime {value.ConnectionReuseTime}: it must be positive, for example 5m.");
        }
    }

    private void CheckScanner(List<string> errors)
    {
        var value = rspamd.Value;
        if (!string.IsNullOrWhiteSpace(value.Url) && (!Uri.TryCreate(value.Url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
        {
            errors.Add($"Invalid Rspamd:Url (--rspamd) '{value.Url}': use an http URL such as http://127.0.0.1:11333.");
        }

        if (value.Timeout <= TimeSpan.Zero)
        {
            errors.Add("Rspamd:Timeout must be positive, for example 15s.");
        }
    }

    private void CheckLimits(List<string> errors)
    {
        var value = limits.Value;
        if (value.MessageSize < 1024)
        {
            errors.Add($"Invalid Limits:MessageSize {value.MessageSize}: use at least 1024 octets.");
        }

        if (value.RecipientsPerMessage < 1)
        {
            errors.Add($"Invalid Limits:RecipientsPerMessage {value.RecipientsPerMessage}: use at least 1 (RFC 5321 asks for 100).");
        }

        if (value.CommandLineLength < 512)
        {
            errors.Add($"Invalid Limits:CommandLineLength {value.CommandLineLength}: RFC 5321 needs at least 512 octets.");
        }

        if (value.SessionsPerIp < 0)
        {
            errors.Add($"Invalid Limits:SessionsPerIp {value.SessionsPerIp}: use 0 (off) or more.");
        }

        if (value.Sessions < 1)
        {
            errors.Add($"Invalid Limits:Sessions {value.Sessions}: use 1 or more.");
        }

        if (value.CommandsPerSession < 10)
        {
            errors.Add($"Invalid Limits:CommandsPerSession {value.CommandsPerSession}: use 10 or more.");
        }

        if (value.CommandTimeout <= TimeSpan.Zero || value.DataTimeout <= TimeSpan.Zero || value.DataDuration <= TimeSpan.Zero)
        {
            errors.Add("Limits:CommandTimeout, Limits:DataTimeout and Limits:DataDuration must be positive, for example 5m.");
        }
    }

    /// <summary>True for a DNS name as RFC 1123 section 2.1 allows it in a greeting and a Received header.</summary>
    private static bool IsHostName(string name) =>
        name.Length is > 0 and <= 253
        && name.Split('.').All(label => label.Length is > 0 and <= 63
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            && label[0] != '-' && label[^1] != '-');

    private static void TryListen(string value, string key, List<IPEndPoint> listeners, List<string> errors)
    {
        try
        {
            listeners.Add(Endpoints.ParseListen(value, key));
        }
        catch (FormatException ex)
        {
            errors.Add(ex.Message);
        }
    }

    /// <summary>Loads the certificate and its key as the listeners will, so a wrong file stops the start with its name.</summary>
    private static void CheckCertificate(string certificateFile, string keyFile, List<string> errors)
    {
        var missing = new[] { ("Tls:CertificateFile (--tls-cert)", certificateFile), ("Tls:KeyFile (--tls-key)", keyFile) }
            .Where(file => !File.Exists(file.Item2))
            .Select(file => $"{file.Item1} '{file.Item2}' does not exist.")
            .ToList();
        if (missing.Count > 0)
        {
            errors.AddRange(missing);
            return;
        }

        try
        {
            using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        }
        catch (Exception exception) when (exception is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            errors.Add($"Tls:CertificateFile '{certificateFile}' (--tls-cert) and Tls:KeyFile '{keyFile}' (--tls-key) could not be loaded: {exception.Message.TrimEnd('.')}. Use the PEM certificate (with its chain) and the PEM private key that belongs to it.");
        }
    }
}
