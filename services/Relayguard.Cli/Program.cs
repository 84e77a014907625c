using Relayguard.Cli;

return await CliApp.RunAsync(args);
