namespace Relayguard.Cli;

/// <summary>
/// The parsed command line: words in order, options with values (<c>--name value</c> or <c>--name=value</c>,
/// repeatable), flags, and configuration overrides (<c>--Section:Key=value</c>). Options may come in any position.
/// </summary>
public sealed class CommandLine
{
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal)
    {
        "allow-plaintext-auth", "json", "password-stdin", "help", "version", "force",
    };

    /// <summary>
    /// Every option of any command that takes a value. An option in neither this list nor the flags is unknown to
    /// every command, so it takes no value from the next word: in <c>relayguard --colour blocks list</c> the word
    /// <c>blocks</c> stays the command, and the error names <c>--colour</c>.
    /// </summary>
    private static readonly HashSet<string> ValuedOptions = new(StringComparer.Ordinal)
    {
        // run
        "smtp", "smtps", "tls-cert", "tls-key", "upstream", "dsn-smtp", "trusted", "auth", "ops", "help-listen", "rspamd", "data",

        // API clients and the local stores
        "ops-url", "token-file", "kind", "code", "state", "limit", "after", "reason", "for", "scope", "subject", "role",
    };

    public List<string> Words { get; } = [];

    public Dictionary<string, List<string>> Options { get; } = new(StringComparer.Ordinal);

    public HashSet<string> SetFlags { get; } = new(StringComparer.Ordinal);

    /// <summary>Options given last on the line or followed by another option, so without a value.</summary>
    public HashSet<string> MissingValues { get; } = new(StringComparer.Ordinal);

    /// <summary>Options that no command accepts, in the order given.</summary>
    public List<string> UnknownOptions { get; } = [];

    /// <summary>Configuration keys and values given as <c>--Section:Key=value</c>.</summary>
    public Dictionary<string, string?> ConfigurationOverrides { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var result = new CommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                result.Words.AddRange(args.Skip(i + 1));
                break;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                if (arg == "-h")
                {
                    result.SetFlags.Add("help");
                    continue;
                }

                result.Words.Add(arg);
                continue;
            }

            var body = arg[2..];
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? body : body[..equals];
            string? value = equals < 0 ? null : body[(equals + 1)..];
            if (name.Contains(':', StringComparison.Ordinal))
            {
                if (value is null)
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new UsageException($"The setting --{name} needs a value: --{name}=VALUE.");
                    }

                    value = args[++i];
                }

                result.ConfigurationOverrides[name] = value;
                continue;
            }

            if (Flags.Contains(name))
            {
                if (value is not null && value is not ("true" or "false"))
                {
                    throw new UsageException($"--{name} takes no value.");
                }

                if (value != "false")
                {
                    result.SetFlags.Add(name);
                }

                continue;
            }

            if (!ValuedOptions.Contains(name))
            {
                result.UnknownOptions.Add(name);
                continue;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count || (args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
                {
                    // AllowOnly reports it, after any option the command does not know.
                    result.MissingValues.Add(name);
                    continue;
                }

                value = args[++i];
            }

            if (!result.Options.TryGetValue(name, out var list))
            {
                list = [];
                result.Options[name] = list;
            }

            list.Add(value);
        }

        return result;
    }

    public string? Option(string name) => Options.TryGetValue(name, out var values) ? values[^1] : null;

    public IReadOnlyList<string> All(string name) => Options.TryGetValue(name, out var values) ? values : [];

    public bool Flag(string name) => SetFlags.Contains(name);

    /// <summary>Throws a usage error that names the first option no command accepts.</summary>
    public void RejectUnknownOptions()
    {
        if (UnknownOptions.FirstOrDefault() is { } unknown)
        {
            var nearest = Suggestions.Nearest(unknown, ValuedOptions.Concat(Flags));
            throw new UsageException(nearest is null ? $"Unknown option --{unknown}." : $"Unknown option --{unknown}; did you mean --{nearest}?");
        }
    }

    /// <summary>Fails with a usage error naming any option the command does not know, then any option without its value.</summary>
    public void AllowOnly(params string[] names)
    {
        foreach (var name in names)
        {
            if (!ValuedOptions.Contains(name) && !Flags.Contains(name))
            {
                throw new InvalidOperationException($"The option --{name} is in neither CommandLine.ValuedOptions nor CommandLine.Flags, so the parser would take it for an unknown one.");
            }
        }

        RejectUnknownOptions();
        foreach (var name in Options.Keys.Concat(SetFlags).Concat(MissingValues))
        {
            if (!names.Contains(name) && name != "help")
            {
                throw new UsageException($"Unknown option --{name} for this command.");
            }
        }

        if (MissingValues.FirstOrDefault() is { } missing)
        {
            throw new UsageException($"The option --{missing} needs a value.");
        }
    }
}
