using System.CommandLine;
using DetrSharp.Cli;

return CliApp.Run(args);
