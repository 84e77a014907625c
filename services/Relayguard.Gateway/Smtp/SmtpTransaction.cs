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

    public string? EnvelopeId => Parameters.TryGetValue("ENVID", out var value) ? value : null;

    public List<SmtpRecipient> Recipients { get; } = [];

    /// <summary>The transaction's span, from MAIL FROM to its end; the spam check and the relay are its children.</summary>
    public Activity? Activity { get; set; }

    /// <summary>Handler state for this transaction, such as the results of checks made at MAIL FROM.</summary>
    public Dictionary<string, object?> Items { get; } = [];
}
