using System.Globalization;

namespace Relayguard.Bounces;

/// <summary>An enhanced mail system status code (RFC 3463): class.subject.detail.</summary>
internal sealed record StatusCode(int Class, int Subject, int Detail)
{
    /// <summary>Parses the first 4.x.x or 5.x.x code in the value, such as <c>5.1.1 (user unknown)</c>, or returns null.</summary>
    public static StatusCode? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var match = ReplyText.FindStatus(value);
        if (match is null)
        {
            return null;
        }

        var parts = match.Split('.');
        return new StatusCode(
            int.Parse(parts[0], CultureInfo.InvariantCulture),
            int.Parse(parts[1], CultureInfo.InvariantCulture),
            int.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>True for the unspecific codes <c>X.0.0</c>, which a diagnostic can refine.</summary>
    public bool IsGeneric => Subject == 0 && Detail == 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Class}.{Subject}.{Detail}");
}
