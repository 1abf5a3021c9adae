<?php
sleep(3);
echo "slow php-fpm\n";
