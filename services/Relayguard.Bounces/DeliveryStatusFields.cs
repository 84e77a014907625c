using System.Text.RegularExpressions;

namespace Relayguard.Bounces;

/// <summary>The fields of one RFC 3464 delivery-status body: the per-message group and one group per recipient.</summary>
internal sealed partial record DeliveryStatusFields(
    IReadOnlyDictionary<string, string> Message,
    IReadOnlyList<IReadOnlyDictionary<string, string>> Recipients)
{
    private const int MaxLines = 5000;

    /// <summary>
    /// Parses delivery-status fields from text. Groups are separated by blank lines, but a second
    /// Final-Recipient also starts a new group, because some MTAs omit the blank line.
    /// </summary>
    public static DeliveryStatusFields Parse(string text)
    {
        var message = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var recipients = new List<IReadOnlyDictionary<string, string>>();
        var group = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? lastField = null;

        void CloseGroup()
        {
            if (group.ContainsKey("Final-Recipient") || group.ContainsKey("Original-Recipient"))
            {
                recipients.Add(group);
            }
            else
            {
                foreach (var (name, value) in group)
                {
                    message.TryAdd(name, value);
                }
            }

            group = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            lastField = null;
        }

        foreach (var rawLine in text.Split('\n').Take(MaxLines))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                CloseGroup();
                continue;
            }

            if (lastField is not null && (line[0] == ' ' || line[0] == '\t'))
            {
                group[lastField] = group[lastField] + " " + line.Trim();
                continue;
            }

            var field = Field().Match(line);
            if (!field.Success)
            {
                lastField = null;
                continue;
            }

            var name = field.Groups["name"].Value;
            if (StartsNewRecipient(group, name))
            {
                CloseGroup();
            }

            if (group.TryAdd(name, field.Groups["value"].Value.Trim()))
            {
                lastField = name;
            }
            else
            {
                lastField = null;
            }
        }

        CloseGroup();
        return new DeliveryStatusFields(message, recipients);
    }

    /// <summary>True when the text contains at least one per-recipient field.</summary>
    public static bool LooksLikeDeliveryStatus(string text) => RecipientField().IsMatch(text);

    private static bool StartsNewRecipient(Dictionary<string, string> group, string name)
    {
        if (name.Equals("Final-Recipient", StringComparison.OrdinalIgnoreCase))
        {
            return group.ContainsKey("Final-Recipient");
        }

        if (name.Equals("Original-Recipient", StringComparison.OrdinalIgnoreCase))
        {
            return group.ContainsKey("Original-Recipient");
        }

        return false;
    }

    [GeneratedRegex(@"^(?<name>[A-Za-z][A-Za-z0-9-]{0,60})[ \t]*:(?<value>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Field();

    [GeneratedRegex(@"^[ \t]*(?:Final|Original)-Recipient[ \t]*:", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex RecipientField();
}
