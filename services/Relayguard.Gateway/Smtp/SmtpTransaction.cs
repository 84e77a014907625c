using System.Diagnostics;

namespace Relayguard.Gateway.Smtp;

/// <summary>One mail transaction: from MAIL FROM to the end of DATA, RSET or the end of the session.</summary>
public sealed class SmtpTransaction
{
    public SmtpTransaction(string id, string reversePath, IReadOnlyDictionary<string, string?> parameters)
    {
        Id = id;
        ReversePath = reversePath;
        Parameters = parameters;
    }

    /// <summary>The gateway message id, also the queue id in replies and the index key.</summary>
    public string Id { get; }

    /// <summary>The envelope sender without angle brackets; empty for the null sender.</summary>
    public string ReversePath { get; }

    public bool IsNullSender => ReversePath.Length == 0;

    /// <summary>MAIL FROM parameters such as SIZE, BODY, ENVID, RET and SMTPUTF8 (keys upper-case).</summary>
    public IReadOnlyDictionary<string, string?> Parameters { get; }

    /// <summary>
    /// The client's ENVID, decoded from xtext: MailKit encodes it again when the gateway relays, and the message index
    /// and the gateway's own failure notices hold the text itself.
    /// </summary>
    public string? EnvelopeId =>
        Parameters.TryGetValue("ENVID", out var value) && value is not null
            ? DsnParameters.TryDecodeXtext(value, allowUtf8: false, out var decoded, out _) ? decoded : value
            : null;

    /// <summary>The client's RET parameter (FULL or HDRS) as MailKit relays it; unspecified without one.</summary>
    public MailKit.Net.Smtp.DeliveryStatusNotificationType ReturnContent =>
        Parameters.TryGetValue("RET", out var value) ? value?.ToUpperInvariant() switch
        {
            "FULL" => MailKit.Net.Smtp.DeliveryStatusNotificationType.Full,
            "HDRS" => MailKit.Net.Smtp.DeliveryStatusNotificationType.HeadersOnly,
            _ => MailKit.Net.Smtp.DeliveryStatusNotificationType.Unspecified,
        } : MailKit.Net.Smtp.DeliveryStatusNotificationType.Unspecified;

    public List<SmtpRecipient> Recipients { get; } = [];

    /// <summary>The transaction's span, from MAIL FROM to its end; the spam check and the relay are its children.</summary>
    public Activity? Activity { get; set; }

    /// <summary>Handler state for this transaction, such as the results of checks made at MAIL FROM.</summary>
    public Dictionary<string, object?> Items { get; } = [];
}
