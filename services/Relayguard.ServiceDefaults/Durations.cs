using System.Globalization;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Parses the durations operators type: <c>90s</c>, <c>30m</c>, <c>24h</c>, <c>7d</c>, <c>2w</c>, <c>0</c>, or a .NET
/// <see cref="TimeSpan"/> with colons such as <c>01:00:00</c>. A number without a unit is invalid, and so is <c>M</c>,
/// which reads as a month to some and as minutes to others.
/// </summary>
public static class Durations
{
    /// <summary>The units for error messages.</summary>
    public const string Units = "s, m, h, d or w (m is minutes; for a month write 30d)";

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var unit = text[^1];
        var number = text[..^1];
        if (char.IsLetter(unit) && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            TimeSpan? parsed = unit switch
            {
                's' or 'S' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' or 'H' => TimeSpan.FromHours(amount),
                'd' or 'D' => TimeSpan.FromDays(amount),
                'w' or 'W' => TimeSpan.FromDays(amount * 7),
                _ => null,
            };
            if (parsed is { } span)
            {
                value = span;
                return true;
            }

            return false;
        }

        if (text == "0")
        {
            return true;
        }

        // TimeSpan reads a bare number as days, so the .NET form counts only with its colons (01:00:00, 1.00:00:00).
        return text.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value)
            && value >= TimeSpan.Zero;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException($"Invalid duration '{text}': use a number followed by {Units}, for example 30m, 24h or 7d.");

    /// <summary>Formats a duration the way <see cref="Parse"/> reads it, choosing the largest whole unit.</summary>
    public static string Format(TimeSpan value)
    {
        if (value.Ticks % TimeSpan.TicksPerDay == 0 && value >= TimeSpan.FromDays(1))
        {
            return $"{value.TotalDays:0}d";
        }

        if (value.Ticks % TimeSpan.TicksPerHour == 0 && value >= TimeSpan.FromHours(1))
        {
            return $"{value.TotalHours:0}h";
        }

        if (value.Ticks % TimeSpan.TicksPerMinute == 0 && value >= TimeSpan.FromMinutes(1))
        {
            return $"{value.TotalMinutes:0}m";
        }

        return string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.###}s");
    }
}
