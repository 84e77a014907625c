using System.ComponentModel;
using System.Globalization;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Lets configuration bind <see cref="TimeSpan"/> settings from <c>30m</c>, <c>24h</c> or <c>7d</c> as well as
/// <c>01:00:00</c>. <see cref="Register"/> installs it for the whole process.
/// </summary>
public sealed class DurationConverter : TimeSpanConverter
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            TypeDescriptor.AddAttributes(typeof(TimeSpan), new TypeConverterAttribute(typeof(DurationConverter)));
        }
    }

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? Durations.Parse(text) : base.ConvertFrom(context, culture, value);
}
