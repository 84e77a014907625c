using Relayguard.Gateway.Identity;
using Relayguard.ServiceDefaults;

namespace Relayguard.Cli;

/// <summary><c>relayguard accounts add|list|remove</c>: the local account store, read by a running gateway at each AUTH.</summary>
public static class AccountsCommand
{
    internal const string Usage = "Usage: relayguard accounts add NAME --password-stdin | list | remove NAME [--data DIR]";

    /// <summary>The shortest password <c>accounts add</c> accepts, the minimum of NIST SP 800-63B for passwords a user chooses.</summary>
    public const int MinimumPasswordLength = 8;

    public static int Run(CommandLine command, TextReader input, TextWriter output, TextWriter error)
    {
        command.AllowOnly("data", "password-stdin", "json");
        var action = command.Words.ElementAtOrDefault(1);
        if (action is not ("add" or "list" or "remove"))
        {
            throw action is null
                ? new UsageException($"Missing action: use add, list or remove.\n{Usage}")
                : Suggestions.UnknownAction("accounts", action, ["add", "list", "remove"], Usage);
        }

        var database = OpenDatabase(command, create: action == "add");
        var store = new AccountStore(database, TimeProvider.System);
        switch (action)
        {
            case "add":
                {
                    var name = command.Words.ElementAtOrDefault(2) ?? throw new UsageException("Usage: relayguard accounts add NAME --password-stdin [--data DIR]");
                    if (!AccountStore.IsValidName(name, out var nameError))
                    {
                        throw new UsageException($"Invalid account name: {nameError}.");
                    }

                    if (!command.Flag("password-stdin"))
                    {
                        throw new UsageException("accounts add needs --password-stdin: the password is read from standard input, one line, so it never appears in the process list.");
                    }

                    var password = input.ReadLine();
                    if (string.IsNullOrEmpty(password))
                    {
                        error.WriteLine("relayguard: no password on standard input; send one line, for example: printf '%s\\n' \"$PASSWORD\" | relayguard accounts add NAME --password-stdin");
                        return ExitCodes.Usage;
                    }

                    if (password.Length < MinimumPasswordLength)
                    {
                        error.WriteLine($"relayguard: the password has {password.Length} characters; use at least {MinimumPasswordLength}.");
                        return ExitCodes.Usage;
                    }

                    var created = store.Set(name, password);
                    var stored = StoredName(store, name);
                    output.WriteLine(created
                        ? $"Added account {stored} to {database.Path}.{SameAs(name, stored)}"
                        : $"Changed the password of account {stored} in {database.Path}.{SameAs(name, stored)}");
                    return ExitCodes.Ok;
                }

            case "list":
                {
                    var accounts = store.List();
                    if (command.Flag("json"))
                    {
                        output.WriteLine(System.Text.Json.JsonSerializer.Serialize(accounts.Select(a => new { name = a.Name, createdAt = a.CreatedAt })));
                        return ExitCodes.Ok;
                    }

                    output.WriteLine(Table.Render(["ACCOUNT", "CREATED"], accounts.Select(a => new[] { a.Name, a.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) })));
                    return ExitCodes.Ok;
                }

            case "remove":
                {
                    var name = command.Words.ElementAtOrDefault(2) ?? throw new UsageException("Usage: relayguard accounts remove NAME [--data DIR]");
                    var stored = StoredName(store, name);
                    if (!store.Remove(name))
                    {
                        error.WriteLine($"relayguard: no account named {name}.");
                        return ExitCodes.Refused;
                    }

                    output.WriteLine($"Removed account {stored} from {database.Path}.{SameAs(name, stored)}");
                    return ExitCodes.Ok;
                }

            default:
                throw new UsageException(Usage);
        }
    }

    /// <summary>Returns the name as stored, which may differ from <paramref name="name"/> in case only, or <paramref name="name"/> when there is none.</summary>
    private static string StoredName(AccountStore store, string name) => store.FindName(name) ?? name;

    /// <summary>Returns the sentence that explains a name typed in another case than the stored one, or nothing.</summary>
    private static string SameAs(string typed, string stored) =>
        string.Equals(typed, stored, StringComparison.Ordinal) ? string.Empty : $" Account names ignore case, so {typed} is {stored}.";

    /// <summary>
    /// Opens the database in the data folder. Only the commands that add something create it, because a list or a
    /// removal in a folder without a database means a wrong --data or working folder.
    /// </summary>
    public static SqliteDatabase OpenDatabase(CommandLine command, bool create)
    {
        var directory = Path.GetFullPath(command.Option("data") ?? Environment.GetEnvironmentVariable("RELAYGUARD_Data__Directory") ?? "./data");
        var path = Path.Combine(directory, "relayguard.db");
        if (!create && !File.Exists(path))
        {
            throw new UsageException($"No Relayguard database at {path}: pass --data with the folder that 'relayguard run' uses (default ./data in its working folder).");
        }

        try
        {
            return SqliteDatabase.OpenConfigured(path, $"--data '{directory}'");
        }
        catch (SettingException ex)
        {
            throw new UsageException(ex.Message);
        }
    }
}
