// Wait until the console has sent everything written to it. Output to a
// tty is queued and the UART driver sends it at the line's pace, while a
// power-off takes effect at once: init runs this before `poweroff -f` so
// the last lines reach the serial log.
#include <stdio.h>
#include <termios.h>

int main(void)
{
	if (tcdrain(1) != 0) {
		perror("console-drain: tcdrain");
		return 1;
	}
	return 0;
}
