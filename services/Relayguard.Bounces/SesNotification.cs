using System.Text.Json;

namespace Relayguard.Bounces;

/// <summary>
/// Reads Amazon SES event notifications that arrive by mail through SNS: a JSON body with a
/// notificationType (or eventType) of Bounce, Delivery, DeliveryDelay or Complaint, sometimes
/// wrapped in an SNS envelope whose Message field contains the JSON as a string.
/// </summary>
internal static class SesNotification
{
    private const int MaxDepth = 32;

    public sealed record Result(MessageKind Kind, List<FailedRecipient> Recipients, string? MessageId);

    public static Result? TryRead(string text)
    {
        var json = text.Trim();
        var end = json.LastIndexOf('}');
        if (!json.StartsWith('{') || end < 0)
        {
            return null;
        }

        var body = json[..(end + 1)];
        if (TryParse(body) is { } result)
        {
            return result;
        }

        // Sendmail breaks lines longer than its limit with "!", a line break and a space. SES
        // sends the whole JSON on one line, so join those breaks again.
        var joined = body.Replace("!\r\n ", string.Empty, StringComparison.Ordinal).Replace("!\n ", string.Empty, StringComparison.Ordinal);
        return TryParse(joined);
    }

    private static Result? TryParse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
            var root = document.RootElement;
            if (root.TryGetProperty("Type", out _) && root.TryGetProperty("Message", out var inner) && inner.ValueKind == JsonValueKind.String)
            {
                using var innerDocument = JsonDocument.Parse(inner.GetString()!, new JsonDocumentOptions { MaxDepth = MaxDepth });
                return Read(innerDocument.RootElement);
            }

            return Read(root);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Result? Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var type = String(root, "notificationType") ?? String(root, "eventType");
        var messageId = root.TryGetProperty("mail", out var mail) ? String(mail, "messageId") : null;
        return type switch
        {
            "Bounce" => new Result(MessageKind.DeliveryReport, ReadBounce(root, "failed"), messageId),
            "DeliveryDelay" => new Result(MessageKind.DeliveryReport, ReadDelay(root), messageId),
            "Delivery" => new Result(MessageKind.DeliveryReport, [], messageId),
            "Complaint" => new Result(MessageKind.FeedbackReport, [], messageId),
            _ => null,
        };
    }

    private static List<FailedRecipient> ReadBounce(JsonElement root, string action)
    {
        var recipients = new List<FailedRecipient>();
        if (!root.TryGetProperty("bounce", out var bounce) || !bounce.TryGetProperty("bouncedRecipients", out var list)
            || list.ValueKind != JsonValueKind.Array)
        {
            return recipients;
        }

        foreach (var item in list.EnumerateArray())
        {
            var address = String(item, "emailAddress");
            if (address is null)
            {
                continue;
            }

            var diagnostic = String(item, "diagnosticCode");
            var diagnosticText = diagnostic is not null && diagnostic.Contains(';', StringComparison.Ordinal)
                ? diagnostic[(diagnostic.IndexOf(';', StringComparison.Ordinal) + 1)..].Trim()
                : diagnostic;
            recipients.Add(RecipientFactory.Create(address, null, String(item, "action") ?? action, String(item, "status"), diagnosticText, SmtpStage.Unknown, string.Empty));
        }

        return recipients;
    }

    private static List<FailedRecipient> ReadDelay(JsonElement root)
    {
        var recipients = new List<FailedRecipient>();
        if (!root.TryGetProperty("deliveryDelay", out var delay) || !delay.TryGetProperty("delayedRecipients", out var list)
            || list.ValueKind != JsonValueKind.Array)
        {
            return recipients;
        }

        foreach (var item in list.EnumerateArray())
        {
            if (String(item, "emailAddress") is { } address)
            {
                recipients.Add(RecipientFactory.Create(address, null, "delayed", String(item, "status"), String(item, "diagnosticCode"), SmtpStage.Unknown, string.Empty));
            }
        }

        return recipients;
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
