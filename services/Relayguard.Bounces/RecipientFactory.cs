namespace Relayguard.Bounces;

/// <summary>Builds a <see cref="FailedRecipient"/> from what a report states about one recipient.</summary>
internal static class RecipientFactory
{
    /// <param name="address">The failed address.</param>
    /// <param name="originalAddress">The address as submitted, when the report names a different one.</param>
    /// <param name="action"><c>failed</c> or <c>delayed</c>.</param>
    /// <param name="statusField">The RFC 3464 Status field, when the report has one.</param>
    /// <param name="diagnostic">The text that explains this recipient's failure.</param>
    /// <param name="stage">The SMTP command that the rejection replied to, as the report shows it.</param>
    /// <param name="notice">The report's subject and notice, read when the diagnostic explains nothing.</param>
    public static FailedRecipient Create(
        string address,
        string? originalAddress,
        string action,
        string? statusField,
        string? diagnostic,
        SmtpStage stage,
        string notice)
    {
        var replyCode = ReplyText.FindReplyCode(diagnostic);
        var status = ChooseStatus(StatusCode.Parse(statusField), StatusCode.Parse(diagnostic));
        var wordingText = diagnostic;

        var explainsNothing = replyCode is null && (status is null || status.IsGeneric) && FailureWording.MatchRaw(diagnostic, status) is null
            && FailureWording.MatchSpecific(FailureWording.Normalize(diagnostic)) is null;
        if (explainsNothing && notice.Length > 0)
        {
            replyCode = ReplyText.FindReplyCode(notice);
            status = ChooseStatus(status, StatusCode.Parse(notice));
            wordingText = diagnostic + "\n" + notice;
        }

        var (reason, invalid, permanent) = FailureClassifier.Classify(replyCode, status?.ToString(), wordingText, action, stage);
        return new FailedRecipient
        {
            Address = address,
            OriginalAddress = originalAddress is not null && !originalAddress.Equals(address, StringComparison.OrdinalIgnoreCase) ? originalAddress : null,
            Action = action,
            ReplyCode = replyCode,
            Status = status?.ToString(),
            Diagnostic = ReplyText.OneLine(diagnostic),
            Reason = reason,
            AddressInvalid = invalid,
            Permanent = permanent,
        };
    }

    /// <summary>
    /// Prefers the Status field, but takes the diagnostic's code when the field is only
    /// <c>X.0.0</c> and both agree on the class, as in <c>Status: 5.0.0</c> with <c>550 5.1.1</c>.
    /// </summary>
    private static StatusCode? ChooseStatus(StatusCode? field, StatusCode? fromDiagnostic)
    {
        if (field is null)
        {
            return fromDiagnostic;
        }

        return field.IsGeneric && fromDiagnostic is not null && fromDiagnostic.Class == field.Class ? fromDiagnostic : field;
    }
}
