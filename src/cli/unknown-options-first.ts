import { type Command, CommanderError } from 'commander';

/**
 * Commander checks required options before unknown ones, so `clients create --nmae Shop` said "required option
 * '--name <name>' not specified" and never mentioned the misspelling. On every command under `program`, this turns
 * that error into the unknown-option one, with commander's closest known option ("did you mean --name?").
 * Call it after every command is registered. Errors are thrown (exitOverride), never printed here: index.ts prints.
 */
export function unknownOptionsFirst(program: Command): void {
  const visit = (cmd: Command) => {
    cmd.exitOverride((err: CommanderError) => {
      if (err.code === 'commander.missingMandatoryOptionValue') {
        // `args` holds the operands, then the first unknown option and all that follows it.
        const unknown = cmd.args.find((arg) => arg.startsWith('-'));
        // unknownOption is commander's own (not in its typings); it throws through this same callback.
        if (unknown !== undefined) (cmd as unknown as { unknownOption(flag: string): never }).unknownOption(unknown);
      }
      throw err;
    });
    for (const sub of cmd.commands) visit(sub);
  };
  visit(program);
}
