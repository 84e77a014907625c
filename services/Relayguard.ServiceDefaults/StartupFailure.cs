using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Checks a built host before it starts, and turns the exceptions a wrong setting causes into one line per problem
/// that names the key, the value and the fix. The checks run before the host starts, because a host that fails while
/// starting logs the whole exception first and buries that line under its stack frames.
/// </summary>
public static partial class StartupFailure
{
    /// <summary>
    /// Binds and validates every option registered with <c>ValidateOnStart</c>, as the host would do when it starts.
    /// Throws what the host would throw: <see cref="OptionsValidationException"/>, or the binder's
    /// <see cref="InvalidOperationException"/> for a value of the wrong type.
    /// </summary>
    public static void ValidateOptions(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.GetService<IStartupValidator>()?.Validate();
    }

    /// <summary>
    /// Returns the address of the first listener that another socket already holds, with its setting, or null when
    /// every one is free. The probe binds with SO_REUSEADDR alone, as the listeners do, so it fails when another socket
    /// listens on the address (an integration test checks this).
    /// </summary>
    public static (string Key, IPEndPoint Address)? FindAddressInUse(IEnumerable<(string Key, IPEndPoint Address)> listeners)
    {
        ArgumentNullException.ThrowIfNull(listeners);
        foreach (var (key, address) in listeners)
        {
            if (address.Port == 0)
            {
                continue;
            }

            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                socket.Bind(address);
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return (key, address);
            }
            catch (SocketException)
            {
                // Another cause (an address this host does not have, a privileged port): the listener reports it.
            }
        }

        return null;
    }

    /// <summary>True for a listener's bind failure: the SMTP listeners' own, or Kestrel's <c>AddressInUseException</c>.</summary>
    public static bool IsAddressInUse(IOException exception) =>
        exception?.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
        || exception?.InnerException?.GetType().Name == "AddressInUseException";

    /// <summary>Why the service stopped itself after a wrong setting showed only once it was running; null when it did not.</summary>
    public static string? StopReason { get; private set; }

    /// <summary>The exit code of a service that stopped itself: 2 for a wrong setting, as at start, by default.</summary>
    public static int StopExitCode { get; private set; } = 2;

    /// <summary>Records why the service stops itself, and sets the process's exit code.</summary>
    public static void StopFor(string reason, int exitCode = 2)
    {
        StopReason = reason;
        StopExitCode = exitCode;
        Environment.ExitCode = exitCode;
    }

    /// <summary>
    /// Describes a start-up failure that a wrong setting caused, one line per problem, or returns null for any other
    /// exception, which is a fault to report with its stack trace.
    /// </summary>
    public static IReadOnlyList<string>? Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var lines = new List<string>();
        Collect(exception, lines);
        return lines.Count > 0 ? lines : null;
    }

    private static void Collect(Exception exception, List<string> lines)
    {
        if (exception is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions)
            {
                Collect(inner, lines);
            }

            return;
        }

        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is SettingException setting)
            {
                lines.Add(setting.Message);
                return;
            }

            // RabbitMQ's AuthenticationFailureException, named by type so this project needs no RabbitMQ client.
            if (current.GetType().Name == "AuthenticationFailureException" || current.Message.Contains("ACCESS_REFUSED", StringComparison.Ordinal))
            {
                lines.Add(RabbitMqTopologyService.LoginRefused);
                return;
            }

            if (current is OptionsValidationException validation)
            {
                lines.AddRange(validation.Failures);
                return;
            }

            // A settings file that is not valid JSON, which the configuration builder reads before anything else.
            if (current is InvalidDataException && UnreadableFile().Match(current.Message) is { Success: true } file)
            {
                var cause = current.GetBaseException().Message.TrimEnd('.');
                lines.Add($"Invalid settings file '{file.Groups["file"].Value}': {cause}. Fix the JSON, or move the file away to start without it.");
                return;
            }

            if (current is InvalidOperationException && ConversionFailure().Match(current.Message) is { Success: true } match)
            {
                lines.Add(DescribeConversion(match.Groups["key"].Value, match.Groups["value"].Value, match.Groups["type"].Value));
                return;
            }
        }
    }

    private static string DescribeConversion(string key, string value, string typeName)
    {
        var type = typeName.StartsWith("System.Nullable`1[[", StringComparison.Ordinal)
            ? typeName["System.Nullable`1[[".Length..].Split(',')[0]
            : typeName;
        var fix = type switch
        {
            "System.Int32" or "System.Int64" or "System.Int16" or "System.Byte" or "System.UInt32" or "System.UInt64" or "System.UInt16"
                => "use a whole number",
            "System.Double" or "System.Single" or "System.Decimal" => "use a number",
            "System.Boolean" => "use true or false",

            "System.TimeSpan" => $"use a number followed by {Durations.Units}, for example 30m, 24h or 7d",
            _ => FindEnum(type) is { } enumType
                ? $"use one of {string.Join(", ", Enum.GetNames(enumType))}"
                : $"use a value of type {type}",
        };
        return $"Invalid {key} '{value}': {fix}.";
    }

    private static Type? FindEnum(string fullName) =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Select(assembly => assembly.GetType(fullName, throwOnError: false))
            .FirstOrDefault(type => type is { IsEnum: true });

    // The message of Microsoft.Extensions.Configuration.ConfigurationBinder for a value it cannot convert.
    [GeneratedRegex("^Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']*)' to type '(?<type>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex ConversionFailure();

    [GeneratedRegex("^Failed to load configuration from file '(?<file>.+)'", RegexOptions.Singleline)]
    private static partial Regex UnreadableFile();
}
