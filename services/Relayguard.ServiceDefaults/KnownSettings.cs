using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// A setting the service reads: a section bound to an options type, whose keys are that type's properties, or one key
/// read on its own (<see cref="Options"/> null).
/// </summary>
public sealed record KnownSetting(string Path, Type? Options);

/// <summary>
/// Finds settings that nothing reads, such as <c>--Smtp:Lisen</c>: the binder skips them without a word, so a typo
/// leaves the default in place. Each section that a service binds or key that it reads is registered as a
/// <see cref="KnownSetting"/>. A key is checked only when its first part is the first part of a registered setting,
/// so the settings of other libraries (<c>Logging</c>, <c>Kestrel</c>) and unrelated environment variables pass, and
/// a key of another service's section (<see cref="ProductPaths"/>) passes too. A key whose first part nearly spells
/// a product section (<c>Limit:MessageSize</c>) is reported as well.
/// </summary>
public static partial class KnownSettings
{
    /// <summary>Binds the options to <paramref name="section"/> and registers the section's keys as known.</summary>
    public static OptionsBuilder<T> BindSection<T>(this OptionsBuilder<T> builder, IConfiguration configuration, string section)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        OptionsBuilderConfigurationExtensions.Bind(builder, configuration.GetSection(section));
        builder.Services.AddSingleton(new KnownSetting(section, typeof(T)));
        return builder;
    }

    /// <summary>Registers a setting read on its own, outside a bound section, whose value has the shape of <paramref name="type"/> (a list, for example).</summary>
    public static IServiceCollection AddKnownSetting(this IServiceCollection services, string path, Type type)
    {
        services.AddSingleton(new KnownSetting(path, type));
        return services;
    }

    /// <summary>Registers keys that the service reads on their own, outside a bound section.</summary>
    public static IServiceCollection AddKnownKeys(this IServiceCollection services, params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            services.AddSingleton(new KnownSetting(key, null));
        }

        return services;
    }

    /// <summary>Logs a warning for each line of <see cref="FindUnknown"/>.</summary>
    public static void Warn(IReadOnlyList<string> problems, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(logger);
        foreach (var problem in problems)
        {
            LogUnknownSetting(logger, problem);
        }
    }

    /// <summary>
    /// The sections and keys that some service of the product reads. A service skips a key that falls under one of
    /// these but under none of its own settings, because one configuration file or ConfigMap may serve every service:
    /// the CA1 detector does not read <c>Rules:CA2</c>, and the CA2 detector warns about a mistake there itself.
    /// </summary>
    public static readonly IReadOnlyList<string> ProductPaths =
    [
        "Auth", "Bus", "Data", "Dsn", "Gateway:CatchUp", "Gateway:InstanceId", "Gateway:QueueExpiry", "Help", "Http:Listen",
        "Limits", "Operations", "Relay", "Rspamd", "Rules:BO1", "Rules:CA1", "Rules:CA2", "Rules:RL1", "Senders", "Smtp",
        "Store", "Telemetry:SpanFile", "Telemetry:Traces", "Tls", "Webhooks",
    ];

    /// <summary>
    /// Returns one line per configured key that the service does not read, with the closest known name when one is
    /// near. Only keys whose first part is the first part of one of <paramref name="known"/> are checked.
    /// </summary>
    public static IReadOnlyList<string> FindUnknown(IConfiguration configuration, IEnumerable<KnownSetting> known)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(known);
        var settings = known.ToList();
        var roots = settings.Select(s => FirstPart(s.Path)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        foreach (var (key, value) in configuration.AsEnumerable().OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (value is null)
            {
                continue;
            }

            if (!roots.Contains(FirstPart(key)))
            {
                // Only a correction that names a real setting is suggested, so a section of some other software that
                // happens to look alike (Storage, Roles) draws no warning.
                if (NearProductSection(key, roots) is { } section
                    && $"{section}{key[FirstPart(key).Length..]}" is var corrected
                    && IsRealSetting(corrected, settings))
                {
                    problems.Add($"Unknown setting {key} is ignored; did you mean {corrected}?");
                }

                continue;
            }

            var own = settings.Where(s => IsUnder(key, s.Path)).ToList();
            var shapes = own.Select(s => ShapeAt(s, key)).ToList();
            if (own.Count == 0 ? ProductPaths.Any(path => IsUnder(key, path)) : shapes.Contains(Shape.Read))
            {
                continue;
            }

            if (shapes.Contains(Shape.ValueForList))
            {
                problems.Add($"Setting {key} is a list, so its single value is ignored; give one value per item: {key}:0=..., {key}:1=....");
                continue;
            }

            if (shapes.Contains(Shape.ValueForSection))
            {
                problems.Add($"Setting {key} has settings inside it, so its single value is ignored; give {key}:NAME=... instead.");
                continue;
            }

            var suggestion = Closest(key, settings);
            problems.Add(suggestion is null
                ? $"Unknown setting {key} is ignored."
                : $"Unknown setting {key} is ignored; did you mean {suggestion}?");
        }

        return problems;
    }

    /// <summary>
    /// Returns the product section whose name <paramref name="key"/>'s first part nearly spells (<c>Limit</c>,
    /// <c>Rulez</c>), or null. Only keys with a colon count, so environment variables such as <c>TZ</c> never do, and a
    /// short name must be one edit away.
    /// </summary>
    private static string? NearProductSection(string key, HashSet<string> roots)
    {
        var first = FirstPart(key);
        if (first.Length == key.Length || first.Length < 3 || ProductPaths.Any(path => FirstPart(path).Equals(first, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        return roots.Concat(ProductPaths.Select(FirstPart))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(root => (Root: root, Distance: EditDistance.Between(root.ToUpperInvariant(), first.ToUpperInvariant())))
            .Where(candidate => candidate.Distance <= (candidate.Root.Length <= 4 ? 1 : 2))
            .OrderBy(candidate => candidate.Distance)
            .Select(candidate => candidate.Root)
            .FirstOrDefault();
    }

    /// <summary>
    /// True when this service reads <paramref name="key"/>, or when it lies inside a section of another service
    /// (<see cref="ProductPaths"/>), whose keys only that service can check.
    /// </summary>
    private static bool IsRealSetting(string key, List<KnownSetting> settings)
    {
        var own = settings.Where(s => IsUnder(key, s.Path)).ToList();
        return own.Count > 0 ? own.Any(s => ShapeAt(s, key) == Shape.Read) : ProductPaths.Any(path => IsUnder(key, path));
    }

    /// <summary>Returns true when <paramref name="key"/> is <paramref name="path"/> or lies inside it.</summary>
    private static bool IsUnder(string key, string path) =>
        key.StartsWith(path, StringComparison.OrdinalIgnoreCase) && (key.Length == path.Length || key[path.Length] == ':');

    private static string FirstPart(string path)
    {
        var colon = path.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? path : path[..colon];
    }

    /// <summary>What the binder does with a value at a path.</summary>
    private enum Shape
    {
        /// <summary>It binds the value.</summary>
        Read,

        /// <summary>No property is at the path: it skips the value.</summary>
        Unknown,

        /// <summary>The path is a list, which takes its items from the keys below it: it skips the one value.</summary>
        ValueForList,

        /// <summary>The path is an object or a dictionary, which takes its parts from the keys below it: it skips the one value.</summary>
        ValueForSection,
    }

    /// <summary>Returns what the binder does with the value of <paramref name="key"/>, which lies inside <paramref name="setting"/>.</summary>
    private static Shape ShapeAt(KnownSetting setting, string key)
    {
        var parts = key.Length == setting.Path.Length ? [] : key[(setting.Path.Length + 1)..].Split(':');
        if (setting.Options is null)
        {
            return parts.Length == 0 ? Shape.Read : Shape.Unknown;
        }

        return ShapeOf(setting.Options, parts);
    }

    /// <summary>Returns what the binder does with a value at <paramref name="parts"/> inside an instance of <paramref name="type"/>.</summary>
    private static Shape ShapeOf(Type type, ReadOnlySpan<string> parts)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(type))
        {
            return parts.Length == 0 ? Shape.Read : Shape.Unknown;
        }

        var valueType = DictionaryValueType(type);
        var elementType = valueType is null ? ElementType(type) : null;
        if (parts.Length == 0)
        {
            return elementType is not null ? Shape.ValueForList : Shape.ValueForSection;
        }

        // The binder takes a list's items from every key below it, in order, whatever their names.
        if ((valueType ?? elementType) is { } itemType)
        {
            return ShapeOf(itemType, parts[1..]);
        }

        var property = FindProperty(type, parts[0]);
        return property is null ? Shape.Unknown : ShapeOf(property.PropertyType, parts[1..]);
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri);

    private static Type? DictionaryValueType(Type type)
    {
        var dictionary = type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        return dictionary?.GetGenericArguments()[1];
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!typeof(IEnumerable).IsAssignableFrom(type) && !type.IsInterface)
        {
            return null;
        }

        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0];
    }

    private static PropertyInfo? FindProperty(Type type, string name) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.GetIndexParameters().Length == 0);

    /// <summary>Returns the known name nearest to the unknown part of <paramref name="key"/>, at most two edits away, as a full key.</summary>
    private static string? Closest(string key, List<KnownSetting> settings)
    {
        var parts = key.Split(':');
        for (var depth = parts.Length - 1; depth >= 1; depth--)
        {
            var parent = string.Join(':', parts[..depth]);
            var candidates = CandidateNames(parent, settings);
            if (candidates.Count == 0)
            {
                continue;
            }

            var best = candidates
                .Select(name => (Name: name, Distance: EditDistance.Between(name.ToUpperInvariant(), parts[depth].ToUpperInvariant())))
                .OrderBy(c => c.Distance)
                .First();
            return best.Distance <= 2 ? string.Join(':', [.. parts[..depth], best.Name]) : null;
        }

        return null;
    }

    /// <summary>Returns the names that may follow <paramref name="parent"/>: the next part of a known path, or a property of the options type bound there.</summary>
    private static List<string> CandidateNames(string parent, List<KnownSetting> settings)
    {
        var names = new List<string>();
        foreach (var setting in settings)
        {
            if (setting.Path.StartsWith(parent + ":", StringComparison.OrdinalIgnoreCase))
            {
                names.Add(setting.Path[(parent.Length + 1)..].Split(':')[0]);
            }
            else if (setting.Options is not null && (parent + ":").StartsWith(setting.Path + ":", StringComparison.OrdinalIgnoreCase))
            {
                var type = setting.Options;
                var inside = parent.Length > setting.Path.Length ? parent[(setting.Path.Length + 1)..].Split(':') : [];
                foreach (var part in inside)
                {
                    type = FindProperty(type, part)?.PropertyType;
                    if (type is null)
                    {
                        break;
                    }
                }

                if (type is not null && !IsScalar(type) && DictionaryValueType(type) is null && ElementType(type) is null)
                {
                    names.AddRange(type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name));
                }
            }
        }

        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Returns the Levenshtein distance: the fewest insertions, deletions and substitutions that turn one into the other.</summary>
    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "{Problem}")]
    private static partial void LogUnknownSetting(ILogger logger, string problem);
}
