namespace Relayguard.Cli;

/// <summary>Dispatches <c>relayguard COMMAND ...</c> and maps failures to the documented exit codes.</summary>
public static class CliApp
{
    public const string Usage = $$"""
        Usage: relayguard COMMAND [options]

        Commands:
          run                 run the gateway, detectors and operations API in one process (embedded mode)
          accounts            add NAME --password-stdin | list | remove NAME   [--data DIR]
          tokens              add NAME --role read|operate | list | remove NAME [--data DIR]
          blocks              list | show KIND SUBJECT | lift KIND SUBJECT --reason TEXT [--code CODE]
                              | add KIND SUBJECT [--code OP1] --reason TEXT [--for DURATION] [--scope all|null-sender]
          allow               list | add account|ip SUBJECT --reason TEXT [--code CODE] [--for DURATION]
                              | remove account|ip SUBJECT [--code CODE]
          audit               the audit log of blocks, lifts, allowlist and token changes
          classify FILE...    classify messages; one JSON object per line
          evaluate-corpus DIR measure the classifier on a corpus of bounce messages
          version             print the version (also --version)

        {{RunOptions}}
        {{ClientOptionsHelp}} Options may come in any position.
        Exit codes: 0 ok, 1 refused by the API (a 4xx such as 404), 2 usage error, 3 API unreachable or failing (5xx),
          4 an address or the data folder 'run' needs is in use. 'relayguard help COMMAND' describes one command.
        """;

    /// <summary>The command names, for the hint after a mistyped one.</summary>
    internal static readonly string[] Commands = ["run", "accounts", "tokens", "blocks", "allow", "audit", "classify", "evaluate-corpus", "version", "help"];

    private const string RunOptions = """
        Options of run: --smtp ADDR:PORT (default 127.0.0.1:2525), --smtps ADDR:PORT, --tls-cert FILE, --tls-key FILE,
          --upstream HOST:PORT, --dsn-smtp ADDR:PORT, --trusted CIDR[=ACCOUNT] (repeatable), --auth local|dovecot:HOST:PORT,
          --ops ADDR:PORT (default 127.0.0.1:8025), --help-listen ADDR:PORT, --rspamd URL, --data DIR (default ./data),
          --allow-plaintext-auth, and any setting as --Section:Key=value.
        """;

    private const string ClientOptionsHelp = """
        Client options (blocks, allow, audit): --ops-url URL (or RELAYGUARD_OPS_URL; default http://127.0.0.1:8025),
          --token-file FILE (or the token in RELAYGUARD_OPS_TOKEN), --json for the API's JSON instead of a table.
        """;

    /// <summary>Returns the help of one command, or null for a name that is not a command.</summary>
    private static string? CommandHelp(string verb) => verb switch
    {
        "run" => $"Usage: relayguard run [options]\n{RunOptions}",
        "accounts" => $"{AccountsCommand.Usage}\nNames ignore case. The password is read from standard input, one line of at least 8 characters.",
        "tokens" => TokensCommand.Usage,
        "blocks" => $"{BlocksCommand.Usage}\n{ClientOptionsHelp}",
        "allow" => $"{AllowCommand.Usage}\n{ClientOptionsHelp}",
        "audit" => $"{AuditCommand.Usage}\n{ClientOptionsHelp}",
        "classify" => "Usage: relayguard classify FILE...\nPrints one JSON object per file: its kind and, for a delivery report, the failed recipients. The FILE - reads one message from standard input.",
        "evaluate-corpus" => "Usage: relayguard evaluate-corpus DIR\nDIR contains the folders sisimai, sisimai-not, flufl and bounceparser with their tables of expected results.",
        "version" => "Usage: relayguard version (or relayguard --version)",
        "help" => "Usage: relayguard help [COMMAND] (or relayguard COMMAND --help)\nWithout a command, lists the commands; with one, prints its usage and options.",
        _ => null,
    };

    /// <summary><c>relayguard classify FILE...</c>: one JSON object per line; an unreadable or empty file gets an error object, and the exit code 1.</summary>
    private static int Classify(CommandLine command)
    {
        command.AllowOnly();
        var files = command.Words.Skip(1).ToList();
        if (files.Count == 0)
        {
            throw new UsageException("Usage: relayguard classify FILE...");
        }

        // Every file still gets its line, and exit code 1 lets a script detect that some could not be classified.
        using var standardInput = Console.OpenStandardInput();
        return Relayguard.Bounces.ClassifyOutput.Write(files, Console.Out, standardInput) == 0 ? ExitCodes.Ok : ExitCodes.Refused;
    }

    /// <summary><c>relayguard evaluate-corpus DIR</c>: exit 0 when every accuracy target is met, 1 when one is missed.</summary>
    private static int EvaluateCorpus(CommandLine command)
    {
        command.AllowOnly();
        var directory = command.Words.ElementAtOrDefault(1) ?? throw new UsageException("Usage: relayguard evaluate-corpus DIR, where DIR holds the folders sisimai, sisimai-not, flufl and bounceparser");
        if (!Directory.Exists(directory))
        {
            var problem = File.Exists(directory) ? "is a file" : "does not exist";
            throw new UsageException($"The corpus directory '{directory}' {problem}: pass the folder that holds sisimai, sisimai-not, flufl and bounceparser; the corpus is not part of this repository.");
        }

        return Relayguard.Bounces.CorpusEvaluator.Run(directory, Console.Out);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            var command = CommandLine.Parse(args);
            command.RejectUnknownOptions();
            var verb = command.Words.FirstOrDefault();
            var topic = verb == "help" ? command.Words.ElementAtOrDefault(1) : verb;
            if ((verb == "help" || command.Flag("help")) && topic is not null)
            {
                Console.Out.WriteLine(CommandHelp(topic) ?? throw Suggestions.UnknownCommand(topic));
                return ExitCodes.Ok;
            }

            if (command.Flag("version") || verb == "version")
            {
                Console.Out.WriteLine($"relayguard {Relayguard.ServiceDefaults.ServiceDefaultsExtensions.ServiceVersion}");
                return ExitCodes.Ok;
            }

            if (verb is null || verb == "help" || command.Flag("help"))
            {
                Console.Out.WriteLine(Usage);
                return verb is null && !command.Flag("help") ? ExitCodes.Usage : ExitCodes.Ok;
            }

            return verb switch
            {
                "run" => await RunCommand.RunAsync(command, args),
                "accounts" => AccountsCommand.Run(command, Console.In, Console.Out, Console.Error),
                "classify" => Classify(command),
                "evaluate-corpus" => EvaluateCorpus(command),
                _ => await ExtraCommands.RunAsync(verb, command),
            };
        }
        catch (ApiRefusedException ex)
        {
            await Console.Error.WriteLineAsync($"relayguard: {ex.Message}");
            return ExitCodes.Refused;
        }
        catch (ApiUnreachableException ex)
        {
            await Console.Error.WriteLineAsync($"relayguard: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync($"relayguard: {ex.Message}");
            await Console.Error.WriteLineAsync("Run 'relayguard help' for the commands and options.");
            return ExitCodes.Usage;
        }
    }
}
