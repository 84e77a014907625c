namespace Relayguard.Bounces;

/// <summary>Reads the failed recipients of an RFC 3464 report from its delivery-status fields.</summary>
internal static class DeliveryStatusReport
{
    /// <summary>
    /// Returns the failed and delayed recipients, the original envelope id and the number of
    /// recipient groups read, delivered ones included. Recipients that were
    /// delivered, relayed or expanded are left out. A recipient without a diagnostic borrows the
    /// explanation that the notice text gives for the same address. <paramref name="notice"/> is the
    /// subject and notice text, read when a recipient's own lines explain nothing.
    /// </summary>
    public static (List<FailedRecipient> Recipients, string? EnvelopeId, int RecipientGroups) Read(
        IEnumerable<string> statusTexts,
        IReadOnlyList<TextRecipient> noticeRecipients,
        string notice,
        bool noticeReadsAsDelay)
    {
        var recipients = new List<FailedRecipient>();
        string? envelopeId = null;
        var recipientGroups = 0;

        foreach (var text in statusTexts)
        {
            var fields = DeliveryStatusFields.Parse(text);
            envelopeId ??= Value(fields.Message, "Original-Envelope-Id");

            recipientGroups += fields.Recipients.Count;
            foreach (var group in fields.Recipients)
            {
                var recipient = ReadRecipient(group, noticeRecipients, notice, noticeReadsAsDelay);
                if (recipient is not null && !recipients.Exists(r => Same(r.Address, recipient.Address)))
                {
                    recipients.Add(recipient);
                }
            }
        }

        return (recipients, envelopeId, recipientGroups);
    }

    private static FailedRecipient? ReadRecipient(
        IReadOnlyDictionary<string, string> group,
        IReadOnlyList<TextRecipient> noticeRecipients,
        string notice,
        bool noticeReadsAsDelay)
    {
        var final = AddressOf(Value(group, "Final-Recipient"));
        var original = AddressOf(Value(group, "Original-Recipient"));
        var address = final ?? original;
        if (address is null)
        {
            return null;
        }

        var status = Value(group, "Status");
        var action = NormalizeAction(Value(group, "Action"), status, noticeReadsAsDelay);
        if (action is null)
        {
            return null;
        }

        var described = noticeRecipients.FirstOrDefault(r => Same(r.Address, address) || (original is not null && Same(r.Address, original)));
        var diagnostic = DiagnosticText(Value(group, "Diagnostic-Code"));
        if (string.IsNullOrWhiteSpace(diagnostic))
        {
            diagnostic = described?.Detail;
        }

        return RecipientFactory.Create(address, original, action, status, diagnostic, described?.Stage ?? SmtpStage.Unknown, notice);
    }

    /// <summary>Returns failed or delayed, or null for the actions that are not failures.</summary>
    private static string? NormalizeAction(string? action, string? status, bool noticeReadsAsDelay)
    {
        var value = action?.Trim().ToLowerInvariant() ?? string.Empty;
        if (value.StartsWith("fail", StringComparison.Ordinal))
        {
            return "failed";
        }

        if (value.StartsWith("delay", StringComparison.Ordinal))
        {
            return "delayed";
        }

        if (value.StartsWith("deliver", StringComparison.Ordinal) || value.StartsWith("relay", StringComparison.Ordinal)
            || value.StartsWith("expand", StringComparison.Ordinal))
        {
            return null;
        }

        // Without a usable action, a 2.x.x status means success, and otherwise the notice decides.
        if (StatusCode.Parse(status) is null && status?.TrimStart().StartsWith('2') == true)
        {
            return null;
        }

        return noticeReadsAsDelay ? "delayed" : "failed";
    }

    /// <summary>Returns the address in an RFC 3464 recipient field such as <c>rfc822; &lt;x@y&gt;</c>.</summary>
    internal static string? AddressOf(string? field)
    {
        if (string.IsNullOrWhiteSpace(field))
        {
            return null;
        }

        var semicolon = field.IndexOf(';', StringComparison.Ordinal);
        var value = (semicolon >= 0 ? field[(semicolon + 1)..] : field).Trim();

        // The quotes stay for the search, because they may belong to a quoted local part ("x y"@example.org).
        var found = EmailAddress.FindFirst(value);
        if (found is not null)
        {
            return found;
        }

        var bare = value.Trim('<', '>', '"', ' ');
        return bare.Length > 0 && !bare.Contains(' ', StringComparison.Ordinal) ? bare : null;
    }

    private static string? DiagnosticText(string? field)
    {
        if (string.IsNullOrWhiteSpace(field))
        {
            return null;
        }

        // "smtp; 550 5.1.1 ..." carries a diagnostic type before the semicolon.
        var semicolon = field.IndexOf(';', StringComparison.Ordinal);
        var type = semicolon > 0 ? field[..semicolon] : string.Empty;
        return semicolon > 0 && type.Length <= 20 && !type.Contains(' ', StringComparison.Ordinal) ? field[(semicolon + 1)..].Trim() : field.Trim();
    }

    private static string? Value(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    private static bool Same(string a, string b) =>
        string.Equals(AddressForms.Canonical(a), AddressForms.Canonical(b), StringComparison.OrdinalIgnoreCase);
}
